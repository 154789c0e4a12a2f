//! Roster files (花名册) as Chinese admins keep them: CSV (UTF-8, with or without BOM, or GBK /
//! GB 18030 as Excel saves it on Chinese Windows) or XLSX (first sheet). The first row holds the
//! headings, in Chinese or English; each later non-empty row becomes a [`RosterRow`] whose
//! [`RosterRow::to_input`] gives a registration body or the field problems of that row.
//!
//! Recognised headings (case and surrounding spaces ignored; `*` marks required):
//!
//! | field | headings |
//! |---|---|
//! | real_name* | 姓名, 真实姓名, name, real_name |
//! | id_number* | 证件号码, 身份证号, 身份证号码, id_number |
//! | mobile* | 手机号码, 手机号, 手机, 联系电话, mobile, phone |
//! | region_code* | 所在地区, 地区, 居住地, 地区代码, 行政区划代码, region, region_code |
//! | id_type | 证件类型, id_type (default 居民身份证) |
//! | gender | 性别, gender |
//! | birth_date | 出生日期, birth_date (`YYYY-MM-DD`, `YYYY/MM/DD` or `YYYYMMDD`) |
//! | email | 邮箱, 电子邮箱, email |
//! | skills | 技能, 特长, skills (split on 、，,；;|/ and spaces) |
//! | service_categories | 服务类别, 服务领域, service_categories |
//! | political_status | 政治面貌, political_status |
//! | education | 学历, education |
//! | guardian name / relation / mobile / consent | 监护人姓名, 监护人关系, 监护人电话, 监护人同意 (是/否) |
//!
//! A region is a six-digit code or a name: the full path (`江苏省南京市玄武区`, separators
//! allowed) or a county name that is unique in the country.

use std::collections::HashMap;

use chrono::NaiveDate;
use entity::enums::{Gender, IdType, RegionLevel};
use uuid::Uuid;

use super::dto::{GuardianIn, VolunteerIn};
use crate::error::{ApiError, FieldIssue};

/// Largest number of data rows in one file.
pub const MAX_ROWS: usize = 50_000;

/// A column of the roster.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    /// 姓名.
    RealName,
    /// 证件号码.
    IdNumber,
    /// 手机号码.
    Mobile,
    /// 所在地区.
    Region,
    /// 证件类型.
    IdType,
    /// 性别.
    Gender,
    /// 出生日期.
    BirthDate,
    /// 邮箱.
    Email,
    /// 技能.
    Skills,
    /// 服务类别.
    ServiceCategories,
    /// 政治面貌.
    PoliticalStatus,
    /// 学历.
    Education,
    /// 监护人姓名.
    GuardianName,
    /// 监护人关系.
    GuardianRelation,
    /// 监护人电话.
    GuardianMobile,
    /// 监护人同意.
    GuardianConsent,
}

const REQUIRED: [(Column, &str); 4] = [
    (Column::RealName, "姓名"),
    (Column::IdNumber, "证件号码"),
    (Column::Mobile, "手机号码"),
    (Column::Region, "所在地区"),
];

fn column_of(heading: &str) -> Option<Column> {
    let h: String = heading
        .trim()
        .trim_start_matches('\u{feff}')
        .trim_end_matches(['*', '＊'])
        .trim()
        .to_lowercase();
    Some(match h.as_str() {
        "姓名" | "真实姓名" | "name" | "real_name" => Column::RealName,
        "证件号码" | "身份证号" | "身份证号码" | "id_number" => Column::IdNumber,
        "手机号码" | "手机号" | "手机" | "联系电话" | "mobile" | "phone" => {
            Column::Mobile
        }
        "所在地区" | "地区" | "居住地" | "地区代码" | "行政区划代码" | "region" | "region_code" => {
            Column::Region
        }
        "证件类型" | "id_type" => Column::IdType,
        "性别" | "gender" => Column::Gender,
        "出生日期" | "birth_date" => Column::BirthDate,
        "邮箱" | "电子邮箱" | "email" => Column::Email,
        "技能" | "特长" | "skills" => Column::Skills,
        "服务类别" | "服务领域" | "service_categories" => Column::ServiceCategories,
        "政治面貌" | "political_status" => Column::PoliticalStatus,
        "学历" | "education" => Column::Education,
        "监护人姓名" | "guardian_name" => Column::GuardianName,
        "监护人关系" | "guardian_relation" => Column::GuardianRelation,
        "监护人电话" | "监护人手机" | "guardian_mobile" => Column::GuardianMobile,
        "监护人同意" | "guardian_consent" => Column::GuardianConsent,
        _ => return None,
    })
}

/// One data row: its 1-based line in the file (the heading is line 1) and its cells by column.
#[derive(Debug, Clone)]
pub struct RosterRow {
    /// Line number in the file (heading = 1).
    pub line: usize,
    cells: HashMap<Column, String>,
}

/// Whether the bytes are an XLSX (zip) file.
pub fn looks_like_xlsx(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

fn bad_file(detail: impl Into<String>) -> ApiError {
    ApiError::Rule {
        code: "roster_unreadable",
        detail: detail.into(),
    }
}

/// A roster file being read row by row (CSV or XLSX, detected from the bytes). Opening it reads
/// the headings; the data rows are parsed only as they are taken from the iterator, so that a
/// 50,000-row CSV never exists in memory as a table of cells, only as its bytes and the rows
/// being worked on. (An XLSX sheet is read whole: its cells are XML inside a zip stream.)
///
/// The iterator yields each non-blank data row, then — instead of ending — an error when the
/// file has none; it yields an error and then ends at the first unreadable CSV record and at
/// the row after [`MAX_ROWS`].
pub struct Roster {
    columns: Vec<Option<Column>>,
    records: Records,
    /// Records read so far, the headings included (the line of the last record read).
    read: usize,
    /// Data rows yielded so far.
    rows: usize,
    done: bool,
}

enum Records {
    Csv(csv::StringRecordsIntoIter<std::io::Cursor<Vec<u8>>>),
    Table(std::vec::IntoIter<Vec<String>>),
}

impl Records {
    fn next_record(&mut self) -> Option<Result<Vec<String>, ApiError>> {
        match self {
            Self::Csv(records) => records.next().map(|r| {
                r.map(|r| r.iter().map(str::to_owned).collect())
                    .map_err(|e| bad_file(format!("CSV error: {e}")))
            }),
            Self::Table(rows) => rows.next().map(Ok),
        }
    }
}

fn too_many_rows() -> ApiError {
    bad_file(format!(
        "a roster may hold at most {MAX_ROWS} rows; split the file"
    ))
}

impl Roster {
    /// Opens a roster and checks its headings.
    ///
    /// # Errors
    /// 422 `roster_unreadable` (not CSV/XLSX, empty, an unreadable heading row) or
    /// `roster_headings_missing` naming the required headings that are absent.
    pub fn open(bytes: Vec<u8>) -> Result<Self, ApiError> {
        let mut records = if looks_like_xlsx(&bytes) {
            Records::Table(read_xlsx(&bytes)?.into_iter())
        } else {
            Records::Csv(csv_records(bytes)?)
        };
        let headings = records
            .next_record()
            .ok_or_else(|| bad_file("the file is empty"))??;
        let columns: Vec<Option<Column>> = headings.iter().map(|h| column_of(h)).collect();
        let missing: Vec<&str> = REQUIRED
            .iter()
            .filter(|(c, _)| !columns.contains(&Some(*c)))
            .map(|(_, name)| *name)
            .collect();
        if !missing.is_empty() {
            return Err(ApiError::Rule {
                code: "roster_headings_missing",
                detail: format!(
                    "the first row must contain the headings {}",
                    missing.join("、")
                ),
            });
        }
        Ok(Self {
            columns,
            records,
            read: 1,
            rows: 0,
            done: false,
        })
    }

    fn fail(&mut self, e: ApiError) -> Option<Result<RosterRow, ApiError>> {
        self.done = true;
        Some(Err(e))
    }
}

impl Iterator for Roster {
    type Item = Result<RosterRow, ApiError>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.done {
            let Some(record) = self.records.next_record() else {
                self.done = true;
                if self.rows == 0 {
                    return Some(Err(bad_file("the file has headings but no data rows")));
                }
                return None;
            };
            self.read += 1;
            let cells = match record {
                Ok(cells) => cells,
                Err(e) => return self.fail(e),
            };
            // Blank records count too: a file of a million empty lines is refused, not read.
            if self.read > MAX_ROWS + 1 && matches!(self.records, Records::Csv(_)) {
                return self.fail(too_many_rows());
            }
            if cells.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            if self.rows >= MAX_ROWS {
                return self.fail(too_many_rows());
            }
            self.rows += 1;
            let mut map = HashMap::new();
            for (col, cell) in self.columns.iter().zip(cells) {
                if let Some(c) = col {
                    map.insert(*c, cell);
                }
            }
            return Some(Ok(RosterRow {
                line: self.read,
                cells: map,
            }));
        }
        None
    }
}

/// The CSV records of `bytes`: UTF-8 (BOM skipped) read in place, otherwise GBK / GB 18030
/// decoded once.
fn csv_records(
    bytes: Vec<u8>,
) -> Result<csv::StringRecordsIntoIter<std::io::Cursor<Vec<u8>>>, ApiError> {
    if bytes.contains(&0) {
        return Err(bad_file(
            "the file is binary, not CSV text (UTF-16 is not supported; save as UTF-8 or GBK CSV, or XLSX)",
        ));
    }
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let text = if std::str::from_utf8(body).is_ok() {
        let bom = (bytes.len() - body.len()) as u64;
        let mut text = std::io::Cursor::new(bytes);
        text.set_position(bom);
        text
    } else {
        let (text, _, had_errors) = encoding_rs::GB18030.decode(body);
        if had_errors {
            return Err(bad_file(
                "the file is neither UTF-8 nor GBK text, nor an XLSX workbook",
            ));
        }
        std::io::Cursor::new(text.into_owned().into_bytes())
    };
    Ok(csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text)
        .into_records())
}

/// Most bytes the parts of an uploaded workbook may inflate to, all parts together (a 50,000-row
/// roster is a few tens of MB of XML). Checked before parsing, so a zip bomb is refused after
/// inflating at most this much, into a sink.
pub const MAX_XLSX_INFLATED_BYTES: u64 = 200 * 1024 * 1024;

/// Most parts (files) in an uploaded workbook.
const MAX_XLSX_PARTS: usize = 1_000;

/// Highest column (0-based) a roster cell may use; rosters have about twenty.
pub const MAX_COLUMNS: u32 = 256;

/// Inflates every part of the workbook into a sink, refusing archives whose parts (together)
/// inflate to more than [`MAX_XLSX_INFLATED_BYTES`] — whatever sizes their headers declare.
fn check_inflated_size(bytes: &[u8]) -> Result<(), ApiError> {
    use std::io::Read as _;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| bad_file(format!("not a readable XLSX workbook: {e}")))?;
    if zip.len() > MAX_XLSX_PARTS {
        return Err(bad_file("the workbook has too many parts"));
    }
    let too_big = || {
        bad_file(format!(
            "the workbook unpacks to more than {} MB; split the roster",
            MAX_XLSX_INFLATED_BYTES / (1024 * 1024)
        ))
    };
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let part = zip
            .by_index(i)
            .map_err(|e| bad_file(format!("not a readable XLSX workbook: {e}")))?;
        if total.saturating_add(part.size()) > MAX_XLSX_INFLATED_BYTES {
            return Err(too_big());
        }
        let allowed = MAX_XLSX_INFLATED_BYTES - total;
        let read = std::io::copy(&mut part.take(allowed + 1), &mut std::io::sink())
            .map_err(|e| bad_file(format!("not a readable XLSX workbook: {e}")))?;
        if read > allowed {
            return Err(too_big());
        }
        total += read;
    }
    Ok(())
}

fn cell_text(c: &calamine::DataRef<'_>) -> String {
    use calamine::DataRef;
    match c {
        DataRef::Empty => String::new(),
        DataRef::String(s) => s.clone(),
        DataRef::SharedString(s) => (*s).to_owned(),
        // Whole numbers print without ".0"; long ID numbers typed as numbers have already lost
        // digits in Excel and will fail their check digit.
        DataRef::Float(f) if f.fract() == 0.0 && f.abs() < 1e17 => format!("{f:.0}"),
        DataRef::Float(f) => f.to_string(),
        DataRef::Int(i) => i.to_string(),
        DataRef::Bool(b) => b.to_string(),
        DataRef::DateTime(d) => excel_date(d.as_f64()),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::Error(_) => String::new(),
    }
}

/// Reads the first sheet cell by cell. Cells are placed by their own `r` references, which a
/// hostile file may set anywhere (`XFD1048576`): rows past [`MAX_ROWS`] and columns past
/// [`MAX_COLUMNS`] are refused as they stream in, and only rows holding cells get storage, so
/// memory follows the cells actually present, never the sheet's declared extent.
fn read_xlsx(bytes: &[u8]) -> Result<Vec<Vec<String>>, ApiError> {
    use calamine::{Reader as _, Xlsx};
    check_inflated_size(bytes)?;
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes))
        .map_err(|e| bad_file(format!("not a readable XLSX workbook: {e}")))?;
    let sheet = book
        .sheet_names()
        .first()
        .cloned()
        .ok_or_else(|| bad_file("the workbook has no sheet"))?;
    let mut cells: Vec<(u32, u32, String)> = Vec::new();
    {
        let mut reader = book
            .worksheet_cells_reader(&sheet)
            .map_err(|e| bad_file(format!("cannot read sheet {sheet}: {e}")))?;
        while let Some(cell) = reader
            .next_cell()
            .map_err(|e| bad_file(format!("cannot read sheet {sheet}: {e}")))?
        {
            let (row, col) = cell.get_position();
            if usize::try_from(row).map_or(true, |r| r > MAX_ROWS) {
                return Err(too_many_rows());
            }
            if col >= MAX_COLUMNS {
                return Err(bad_file(format!(
                    "a roster may use at most {MAX_COLUMNS} columns"
                )));
            }
            let text = cell_text(cell.get_value());
            if !text.is_empty() {
                cells.push((row, col, text));
            }
        }
    }
    // The table starts at the first used row and column, as a worksheet range does.
    let (Some(row0), Some(col0)) = (
        cells.iter().map(|c| c.0).min(),
        cells.iter().map(|c| c.1).min(),
    ) else {
        return Ok(Vec::new());
    };
    let height = cells.iter().map(|c| c.0 - row0).max().unwrap_or(0) as usize + 1;
    let mut table: Vec<Vec<String>> = vec![Vec::new(); height];
    for (row, col, text) in cells {
        let (r, c) = ((row - row0) as usize, (col - col0) as usize);
        if let Some(line) = table.get_mut(r) {
            if line.len() <= c {
                line.resize(c + 1, String::new());
            }
            line[c] = text;
        }
    }
    Ok(table)
}

/// A date from an Excel serial number (days since 1899-12-30, the 1900 date system).
fn excel_date(serial: f64) -> String {
    let days = serial.trunc();
    if !(0.0..2_958_466.0).contains(&days) {
        return String::new();
    }
    NaiveDate::from_ymd_opt(1899, 12, 30)
        .and_then(|epoch| epoch.checked_add_days(chrono::Days::new(days as u64)))
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// Region look-up by code or name, built once per import from the `regions` table.
#[derive(Debug, Default)]
pub struct RegionIndex {
    codes: std::collections::HashSet<String>,
    names: HashMap<String, Option<String>>,
}

fn squash(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '/' | '-' | '·' | ',' | '，' | '、'))
        .collect()
}

impl RegionIndex {
    /// Builds the index from `(code, name, level, parent_code)` rows.
    pub fn new(rows: &[(String, String, RegionLevel, Option<String>)]) -> Self {
        let by_code: HashMap<&str, (&str, Option<&str>)> = rows
            .iter()
            .map(|(c, n, _, p)| (c.as_str(), (n.as_str(), p.as_deref())))
            .collect();
        let mut names: HashMap<String, Option<String>> = HashMap::new();
        let mut add = |key: String, code: &str| {
            names
                .entry(key)
                .and_modify(|v| {
                    if v.as_deref() != Some(code) {
                        *v = None;
                    }
                })
                .or_insert_with(|| Some(code.to_owned()));
        };
        for (code, name, level, _) in rows {
            // Full path, with and without the placeholder prefecture names 市辖区 / 县.
            let mut chain = vec![name.as_str()];
            let mut cur = by_code.get(code.as_str()).and_then(|(_, p)| *p);
            while let Some(p) = cur {
                if let Some((n, pp)) = by_code.get(p) {
                    chain.push(n);
                    cur = *pp;
                } else {
                    break;
                }
            }
            chain.reverse();
            add(chain.concat(), code);
            let meaningful: Vec<&str> = chain
                .iter()
                .copied()
                .filter(|n| !matches!(*n, "市辖区" | "县"))
                .collect();
            add(meaningful.concat(), code);
            if *level != RegionLevel::Province && !matches!(name.as_str(), "市辖区" | "县") {
                add(name.clone(), code);
            }
        }
        Self {
            codes: rows.iter().map(|(c, ..)| c.clone()).collect(),
            names,
        }
    }

    /// The code for a cell: a known six-digit code, or a name that identifies one region.
    ///
    /// # Errors
    /// A field issue `region_unknown` or `region_ambiguous`.
    pub fn resolve(&self, cell: &str) -> Result<String, FieldIssue> {
        let cell = cell.trim();
        if cell.len() == 6 && cell.bytes().all(|b| b.is_ascii_digit()) {
            return if self.codes.contains(cell) {
                Ok(cell.to_owned())
            } else {
                Err(FieldIssue::new(
                    "region_code",
                    "region_unknown",
                    "no such region code",
                ))
            };
        }
        match self.names.get(&squash(cell)) {
            Some(Some(code)) => Ok(code.clone()),
            Some(None) => Err(FieldIssue::new(
                "region_code",
                "region_ambiguous",
                "this region name exists more than once; give the full path or the six-digit code",
            )),
            None => Err(FieldIssue::new(
                "region_code",
                "region_unknown",
                "no such region",
            )),
        }
    }

    /// Whether the code exists.
    pub fn contains(&self, code: &str) -> bool {
        self.codes.contains(code)
    }
}

fn split_list(s: &str) -> Vec<String> {
    s.split(['、', ',', '，', ';', '；', '|', '/', ' ', '\u{3000}'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect()
}

fn parse_id_type(s: &str) -> Option<IdType> {
    Some(match s.trim() {
        "" | "居民身份证" | "身份证" | "resident_id_card" => IdType::ResidentIdCard,
        "港澳台居民居住证" | "居住证" | "hk_mo_tw_residence_permit" => {
            IdType::HkMoTwResidencePermit
        }
        "外国人永久居留身份证" | "外国人永久居留证" | "foreign_permanent_residence_card" => {
            IdType::ForeignPermanentResidenceCard
        }
        "护照" | "passport" => IdType::Passport,
        _ => return None,
    })
}

fn parse_gender(s: &str) -> Option<Option<Gender>> {
    Some(match s.trim().to_lowercase().as_str() {
        "" => None,
        "男" | "male" | "m" => Some(Gender::Male),
        "女" | "female" | "f" => Some(Gender::Female),
        _ => return None,
    })
}

fn parse_date(s: &str) -> Option<Option<NaiveDate>> {
    let s = s.trim();
    if s.is_empty() {
        return Some(None);
    }
    ["%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y.%m.%d"]
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(s, f).ok())
        .map(Some)
}

impl RosterRow {
    fn cell(&self, c: Column) -> &str {
        self.cells.get(&c).map_or("", |s| s.trim())
    }

    fn optional(&self, c: Column) -> Option<String> {
        Some(self.cell(c).to_owned()).filter(|s| !s.is_empty())
    }

    /// The registration body of this row for `organization_id`, or the problems found while
    /// reading its cells (unknown ID type, gender, date or region). Field rules proper are
    /// checked afterwards, exactly as for a registration over the API.
    ///
    /// # Errors
    /// Field issues naming the roster field.
    pub fn to_input(
        &self,
        organization_id: Uuid,
        regions: &RegionIndex,
    ) -> Result<VolunteerIn, Vec<FieldIssue>> {
        let mut issues = Vec::new();
        let id_type = parse_id_type(self.cell(Column::IdType)).unwrap_or_else(|| {
            issues.push(FieldIssue::new(
                "id_type",
                "id_type_unknown",
                "证件类型 must be 居民身份证, 港澳台居民居住证, 外国人永久居留身份证 or 护照",
            ));
            IdType::ResidentIdCard
        });
        let gender = parse_gender(self.cell(Column::Gender)).unwrap_or_else(|| {
            issues.push(FieldIssue::new(
                "gender",
                "gender_unknown",
                "性别 must be 男 or 女",
            ));
            None
        });
        let birth_date = parse_date(self.cell(Column::BirthDate)).unwrap_or_else(|| {
            issues.push(FieldIssue::new(
                "birth_date",
                "date_format",
                "出生日期 must look like 2001-05-20",
            ));
            None
        });
        let region_code = match regions.resolve(self.cell(Column::Region)) {
            Ok(c) => c,
            Err(e) => {
                issues.push(e);
                String::new()
            }
        };
        let guardian = self.optional(Column::GuardianName).map(|name| GuardianIn {
            name,
            relation: self.cell(Column::GuardianRelation).to_owned(),
            mobile: self.cell(Column::GuardianMobile).to_owned(),
            consent: matches!(
                self.cell(Column::GuardianConsent),
                "是" | "同意" | "yes" | "true" | "1" | "Y" | "y"
            ),
        });
        if !issues.is_empty() {
            return Err(issues);
        }
        Ok(VolunteerIn {
            real_name: self.cell(Column::RealName).to_owned(),
            id_type,
            id_number: self.cell(Column::IdNumber).to_owned(),
            gender,
            birth_date,
            mobile: self.cell(Column::Mobile).to_owned(),
            email: self.optional(Column::Email),
            region_code,
            skills: split_list(self.cell(Column::Skills)),
            service_categories: split_list(self.cell(Column::ServiceCategories)),
            political_status: self.optional(Column::PoliticalStatus),
            education: self.optional(Column::Education),
            organization_id,
            guardian,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(bytes: &[u8]) -> Result<Vec<RosterRow>, ApiError> {
        Roster::open(bytes.to_vec())?.collect()
    }

    fn index() -> RegionIndex {
        let r = |c: &str, n: &str, l: RegionLevel, p: Option<&str>| {
            (c.to_owned(), n.to_owned(), l, p.map(str::to_owned))
        };
        RegionIndex::new(&[
            r("320000", "江苏省", RegionLevel::Province, None),
            r("320100", "南京市", RegionLevel::Prefecture, Some("320000")),
            r("320102", "玄武区", RegionLevel::County, Some("320100")),
            r("110000", "北京市", RegionLevel::Province, None),
            r("110100", "市辖区", RegionLevel::Prefecture, Some("110000")),
            r("110101", "东城区", RegionLevel::County, Some("110000")),
            r("120000", "天津市", RegionLevel::Province, None),
            r("120100", "市辖区", RegionLevel::Prefecture, Some("120000")),
            r("120101", "和平区", RegionLevel::County, Some("120100")),
            r("210000", "辽宁省", RegionLevel::Province, None),
            r("210100", "沈阳市", RegionLevel::Prefecture, Some("210000")),
            r("210102", "和平区", RegionLevel::County, Some("210100")),
        ])
    }

    #[test]
    fn regions_resolve_by_code_full_path_or_unique_name() {
        let idx = index();
        assert_eq!(idx.resolve("320102").unwrap(), "320102");
        assert_eq!(idx.resolve("江苏省南京市玄武区").unwrap(), "320102");
        assert_eq!(idx.resolve("江苏省 南京市 玄武区").unwrap(), "320102");
        assert_eq!(idx.resolve("玄武区").unwrap(), "320102");
        assert_eq!(idx.resolve("天津市和平区").unwrap(), "120101");
        assert_eq!(idx.resolve("和平区").unwrap_err().code, "region_ambiguous");
        assert_eq!(idx.resolve("999999").unwrap_err().code, "region_unknown");
        assert_eq!(idx.resolve("火星").unwrap_err().code, "region_unknown");
    }

    #[test]
    fn chinese_headings_utf8_with_bom_and_gbk_are_read() {
        let csv = "\u{feff}姓名,证件号码,手机号码,所在地区,技能\n张三,11010519491231002X,13800138000,玄武区,急救、外语\n";
        let rows = parse(csv.as_bytes()).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].line, 2);
        let input = rows[0].to_input(Uuid::nil(), &index()).unwrap();
        assert_eq!(input.real_name, "张三");
        assert_eq!(input.region_code, "320102");
        assert_eq!(input.skills, vec!["急救", "外语"]);

        let (gbk, _, _) = encoding_rs::GBK.encode(csv.trim_start_matches('\u{feff}'));
        let rows = parse(&gbk).unwrap();
        assert_eq!(
            rows[0].to_input(Uuid::nil(), &index()).unwrap().real_name,
            "张三"
        );
    }

    #[test]
    fn english_headings_and_blank_lines_work_and_missing_headings_are_named() {
        let csv = "name,id_number,mobile,region_code,gender\nAlice,11010519491231002X,13800138000,320102,female\n,,,,\n";
        let rows = parse(csv.as_bytes()).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(
            rows[0].to_input(Uuid::nil(), &index()).unwrap().gender,
            Some(Gender::Female)
        );

        let err = parse("姓名,手机号码\n张三,13800138000\n".as_bytes()).unwrap_err();
        assert_eq!(err.code(), "roster_headings_missing");
        assert!(err.to_string().contains("证件号码") && err.to_string().contains("所在地区"));
    }

    #[test]
    fn unknown_cell_values_become_field_issues() {
        let csv = "姓名,证件号码,手机号码,所在地区,证件类型,性别,出生日期\n张三,1,2,火星,军官证,未知,昨天\n";
        let rows = parse(csv.as_bytes()).unwrap();
        let issues = rows[0].to_input(Uuid::nil(), &index()).unwrap_err();
        let codes: Vec<&str> = issues.iter().map(|i| i.code.as_str()).collect();
        assert_eq!(
            codes,
            [
                "id_type_unknown",
                "gender_unknown",
                "date_format",
                "region_unknown"
            ]
        );
    }

    #[test]
    fn garbage_is_refused_clearly() {
        assert_eq!(parse(b"").unwrap_err().code(), "roster_unreadable");
        assert_eq!(
            parse(b"PK\x03\x04garbage").unwrap_err().code(),
            "roster_unreadable"
        );
        assert_eq!(
            parse(&[0xff, 0xfe, 0x00, 0x01]).unwrap_err().code(),
            "roster_unreadable"
        );
    }
}
