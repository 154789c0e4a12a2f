//! Deterministic synthetic rosters (花名册) for examples, tests and benchmarks: Chinese names,
//! real county codes from the shipped region data, ID numbers with valid GB 11643 check
//! digits whose birth date and gender agree with the other columns, valid mobiles, and — when
//! asked — a share of deliberately bad rows, each with a note of what is wrong.

#![allow(dead_code, reason = "each user takes what it needs")]

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "肖", "田", "董", "袁", "潘", "蒋", "欧阳", "司马",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀", "霞", "平", "刚", "桂", "英", "华", "玉", "兰", "文", "辉", "鑫", "宇", "欣", "怡",
    "佳", "子", "涵", "晨", "思", "雨", "博", "浩",
];
const MINORITY_NAMES: &[&str] = &[
    "阿依古丽·买买提",
    "古丽娜尔·艾力",
    "扎西·多吉",
    "巴特尔·额尔敦",
];
const SKILLS: &[&str] = &[
    "急救",
    "外语",
    "心理咨询",
    "摄影",
    "驾驶",
    "法律咨询",
    "支教",
    "手语",
    "编程",
    "医疗护理",
];
const CATEGORIES: &[&str] = &[
    "社区服务",
    "助老助残",
    "应急救援",
    "文明实践",
    "大型赛会",
    "环境保护",
    "关爱少年儿童",
    "乡村振兴",
];
const CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

/// The column headings of a generated roster.
pub const HEADINGS: [&str; 14] = [
    "姓名",
    "性别",
    "证件类型",
    "证件号码",
    "手机号码",
    "所在地区",
    "技能",
    "服务类别",
    "政治面貌",
    "学历",
    "监护人姓名",
    "监护人关系",
    "监护人电话",
    "监护人同意",
];

/// Small deterministic generator (SplitMix64), so that rosters are reproducible.
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }
    /// Next 64 random bits.
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    /// One element of a slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Check character of 17 digits (GB 11643-1999 MOD 11-2).
pub fn check_char(body: &str) -> char {
    let sum: u32 = body
        .chars()
        .zip(WEIGHTS)
        .map(|(c, w)| c.to_digit(10).unwrap_or(0) * w)
        .sum();
    CHECK[(sum % 11) as usize]
}

/// County codes of the shipped region data.
pub fn county_codes() -> Vec<String> {
    include_str!("../../migration/data/regions.csv")
        .lines()
        .skip(1)
        .filter(|l| l.contains(",county,"))
        .filter_map(|l| l.split(',').next().map(str::to_owned))
        .collect()
}

fn rng_count(i: usize, n: usize) -> usize {
    (i * 7 + 3) % n
}

fn distinct(rng: &mut Rng, items: &[&'static str], n: usize) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    while out.len() < n.min(items.len()) {
        let c = *rng.pick(items);
        if !out.contains(&c) {
            out.push(c);
        }
    }
    out
}

/// Full name of a county code, e.g. `江苏省南京市玄武区` (placeholder names 市辖区 / 县 left out).
pub fn full_name(code: &str) -> String {
    let rows: Vec<Vec<&str>> = include_str!("../../migration/data/regions.csv")
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    let find = |c: &str| rows.iter().find(|r| r.first() == Some(&c)).cloned();
    let mut parts = Vec::new();
    let mut cur = find(code);
    while let Some(r) = cur {
        if !matches!(r[1], "市辖区" | "县") {
            parts.push(r[1].to_owned());
        }
        cur = r.get(3).filter(|p| !p.is_empty()).and_then(|p| find(p));
    }
    parts.reverse();
    parts.concat()
}

/// One generated row and, for a bad row, what is wrong with it.
pub struct Row {
    /// Cells in [`HEADINGS`] order.
    pub cells: Vec<String>,
    /// `None` for a valid row; otherwise the fault that was put in.
    pub fault: Option<&'static str>,
}

/// Generates `n` rows; about `bad_per_mille`/1000 of them carry one fault. `today_year` is used
/// to choose ages (14–60 for valid rows).
pub fn generate(n: usize, seed: u64, bad_per_mille: u64, today_year: i32) -> Vec<Row> {
    let mut rng = Rng::new(seed);
    let counties = county_codes();
    let mut rows: Vec<Row> = Vec::with_capacity(n);
    for i in 0..n {
        let county = rng.pick(&counties).clone();
        let minor = rng.below(20) == 0;
        let age = if minor {
            14 + rng.below(4) as i32
        } else {
            18 + rng.below(43) as i32
        };
        let year = today_year - age - 1;
        let month = 1 + rng.below(12);
        let day = 1 + rng.below(28);
        let male = rng.below(2) == 0;
        let seq = (rng.below(500) * 2 + usize::from(male)) % 1000;
        let body = format!("{county}{year:04}{month:02}{day:02}{seq:03}");
        let mut id = format!("{body}{}", check_char(&body));
        let name = if rng.below(200) == 0 {
            rng.pick(MINORITY_NAMES).to_string()
        } else {
            let g1 = rng.pick(GIVEN);
            let g2 = if rng.below(3) > 0 {
                *rng.pick(GIVEN)
            } else {
                ""
            };
            format!("{}{g1}{g2}", rng.pick(SURNAMES))
        };
        let prefixes = [
            "130", "135", "138", "139", "150", "158", "166", "177", "186", "199",
        ];
        let mut mobile = format!("{}{:08}", rng.pick(&prefixes), rng.next() % 100_000_000);
        // Admins write the region as a code or as its full name; both are accepted.
        let mut region = if i % 3 == 0 {
            full_name(&county)
        } else {
            county.clone()
        };
        let skills = distinct(&mut rng, SKILLS, rng_count(i, 3)).join("、");
        let categories = distinct(&mut rng, CATEGORIES, 1 + rng_count(i, 2)).join("、");
        let political = ["群众", "共青团员", "中共党员"][rng.below(3)].to_owned();
        let education = ["高中", "大专", "本科", "硕士研究生"][rng.below(4)].to_owned();
        let (mut g_name, mut g_rel, mut g_mobile, mut g_consent) =
            (String::new(), String::new(), String::new(), String::new());
        if age < 18 {
            g_name = format!("{}{}", rng.pick(SURNAMES), rng.pick(GIVEN));
            g_rel = ["父亲", "母亲"][rng.below(2)].to_owned();
            g_mobile = format!("{}{:08}", rng.pick(&prefixes), rng.next() % 100_000_000);
            g_consent = "是".to_owned();
        }
        let mut fault = None;
        let mut copy_previous = false;
        let mut name_cell = name;
        if bad_per_mille > 0 && (rng.next() % 1000) < bad_per_mille && i > 0 {
            let kind = match rng.below(6) {
                // A duplicate needs a valid row to copy.
                4 if rows[i - 1].fault.is_some() => 0,
                k => k,
            };
            match kind {
                0 => {
                    let wrong =
                        CHECK[(CHECK.iter().position(|c| id.ends_with(*c)).unwrap_or(0) + 1) % 11];
                    id = format!("{body}{wrong}");
                    fault = Some("wrong ID check digit");
                }
                1 => {
                    mobile = format!("12{}", &mobile[2..]);
                    fault = Some("mobile number does not start with 13-19");
                }
                2 => {
                    region = "999999".into();
                    fault = Some("unknown region code");
                }
                3 => {
                    name_cell = String::new();
                    fault = Some("missing name");
                }
                4 => {
                    // Same person as the previous row: a duplicate inside the file.
                    id = rows[i - 1].cells[3].clone();
                    copy_previous = true;
                    fault = Some("duplicate ID number inside the file");
                }
                _ => {
                    let young = today_year - 12;
                    let b = format!("{county}{young:04}0101{seq:03}");
                    id = format!("{b}{}", check_char(&b));
                    fault = Some("12 years old: below the minimum age");
                }
            }
        }
        let previous = copy_previous.then(|| rows[i - 1].cells.clone());
        rows.push(Row {
            cells: vec![
                name_cell,
                if male { "男" } else { "女" }.into(),
                "居民身份证".into(),
                id,
                mobile,
                region,
                skills,
                categories,
                political,
                education,
                g_name,
                g_rel,
                g_mobile,
                g_consent,
            ],
            fault,
        });
        // The same person again under another name and mobile: everything else copied.
        if let (Some(mut cells), Some(last)) = (previous, rows.last_mut()) {
            cells[0] = last.cells[0].clone();
            cells[4] = last.cells[4].clone();
            last.cells = cells;
        }
    }
    rows
}

/// The rows as CSV text (UTF-8) with the heading line.
pub fn to_csv(rows: &[Row]) -> String {
    let mut out = HEADINGS.join(",");
    out.push('\n');
    for r in rows {
        out.push_str(&r.cells.join(","));
        out.push('\n');
    }
    out
}
