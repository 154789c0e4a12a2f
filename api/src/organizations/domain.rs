//! Organisation-facing value objects ("parse, don't validate").
//!
//! Only `std` is used; nothing here panics (no `unwrap`, no indexing).

use std::fmt;

/// The 31-character alphabet of the unified social credit code, in value
/// order: the value of a character is its index (`0`→0 … `Y`→30).
///
/// Letters `I`, `O`, `Z`, `S`, `V` are excluded.
/// Source: GB 32100-2015 §4 (code structure and character set).
pub const USCC_CHARSET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/// Weights for positions 1–17: `W_i = 3^(i-1) mod 31`
/// (GB 32100-2015 check-character rule, a GB/T 17710 / ISO/IEC 7064 style
/// weighted sum modulo 31).
const USCC_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// Why a unified social credit code was refused.
///
/// Equivalent to the volunteers module's `FieldError`: [`UsccError::code`]
/// gives the stable snake_case code, [`UsccError::message`] and `Display`
/// the English message alone (no code prefix); it never echoes the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UsccError {
    /// Code `uscc_format`: not 18 characters after trimming, a character
    /// outside [`USCC_CHARSET`], or positions 3–8 not all digits.
    Format,
    /// Code `uscc_checksum`: well-formed but the 18th character is not the
    /// check character computed from positions 1–17.
    Checksum,
}

impl UsccError {
    /// Stable snake_case code: `uscc_format` or `uscc_checksum`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Format => "uscc_format",
            Self::Checksum => "uscc_checksum",
        }
    }

    /// Human-readable English explanation.
    pub fn message(&self) -> &'static str {
        match self {
            Self::Format => {
                "unified social credit code must be 18 characters of 0-9 and A-Y (no I, O, Z, S, V), with digits in positions 3-8"
            }
            Self::Checksum => {
                "unified social credit code check character does not match (GB 32100-2015)"
            }
        }
    }
}

impl fmt::Display for UsccError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for UsccError {}

/// Value (0–30) of a character in [`USCC_CHARSET`], or `None`.
fn char_value(c: char) -> Option<u32> {
    USCC_CHARSET
        .chars()
        .position(|x| x == c)
        .and_then(|i| u32::try_from(i).ok())
}

/// Computes the check character (position 18) for a 17-character body.
///
/// Shape: `body` must be exactly 17 characters of [`USCC_CHARSET`]
/// (upper-case); otherwise `None`. Algorithm: `s = Σ value(c_i)·W_i` with
/// `W = 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28`,
/// `check = 31 − (s mod 31)`, `31 → 0`, mapped back through the charset.
///
/// Source: GB 32100-2015 check-character rule.
pub fn uscc_check_char(body: &str) -> Option<char> {
    if body.chars().count() != USCC_WEIGHTS.len() {
        return None;
    }
    let mut sum: u32 = 0;
    for (c, w) in body.chars().zip(USCC_WEIGHTS) {
        sum = sum.checked_add(char_value(c)?.checked_mul(w)?)?;
    }
    let check = (31 - sum % 31) % 31;
    USCC_CHARSET.chars().nth(usize::try_from(check).ok()?)
}

/// A unified social credit code (统一社会信用代码) of a legal person or other
/// organisation.
///
/// Shape after normalisation: 18 characters of [`USCC_CHARSET`], e.g.
/// `91350100M000100Y43`:
/// - position 1: registration authority (登记管理部门代码), e.g. `1` 机构编制,
///   `5` 民政 (civil affairs), `9` 工商/市场监管, `Y` other;
/// - position 2: organisation type (机构类别代码), e.g. `51` social group,
///   `52` private non-enterprise unit, `53` foundation, `59` other;
/// - positions 3–8: administrative division code of the registering
///   authority (GB/T 2260), 6 digits;
/// - positions 9–17: subject identifier (organisation code, GB 11714);
/// - position 18: check character.
///
/// Positions 1 and 2 are only checked against the charset, not against the
/// list of authority/type codes (that list has been extended by later
/// amendments); the division code is not checked against GB/T 2260.
///
/// Source: GB 32100-2015 §4 (structure, character set) and its
/// check-character rule.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Uscc(String);

impl Uscc {
    /// Parses a USCC after trimming surrounding whitespace (incl. U+3000)
    /// and ASCII-upper-casing.
    ///
    /// # Errors
    ///
    /// Codes: [`UsccError::Format`] (`uscc_format`) for wrong length,
    /// characters outside the charset (incl. `I O Z S V`) or non-digits in
    /// positions 3–8; [`UsccError::Checksum`] (`uscc_checksum`) when the
    /// 18th character is not the computed check character.
    pub fn parse(raw: &str) -> Result<Self, UsccError> {
        let s = raw.trim_matches(char::is_whitespace).to_ascii_uppercase();
        if s.chars().count() != 18 || !s.chars().all(|c| char_value(c).is_some()) {
            return Err(UsccError::Format);
        }
        let division = s.get(2..8).ok_or(UsccError::Format)?;
        if !division.bytes().all(|b| b.is_ascii_digit()) {
            return Err(UsccError::Format);
        }
        let body = s.get(..17).ok_or(UsccError::Format)?;
        let expected = uscc_check_char(body).ok_or(UsccError::Format)?;
        if s.chars().nth(17) != Some(expected) {
            return Err(UsccError::Checksum);
        }
        Ok(Self(s))
    }

    /// The normalised 18-character code.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Position 1: registration authority code (GB 32100-2015 §4).
    pub fn registration_authority(&self) -> char {
        self.0.chars().next().unwrap_or('0')
    }

    /// Position 2: organisation type code within the authority (GB 32100-2015 §4).
    pub fn organization_type(&self) -> char {
        self.0.chars().nth(1).unwrap_or('0')
    }

    /// Positions 3–8: administrative division code of the registering
    /// authority (GB 32100-2015 §4, GB/T 2260).
    pub fn division_code(&self) -> &str {
        self.0.get(2..8).unwrap_or("")
    }

    /// `true` when registered by civil affairs (民政, position 1 = `5`):
    /// types `51` social group (社会团体), `52` private non-enterprise unit
    /// (民办非企业单位 / 社会服务机构), `53` foundation (基金会), `59` other.
    ///
    /// Source: GB 32100-2015 registration authority / type code table.
    pub fn is_civil_affairs_registered(&self) -> bool {
        self.registration_authority() == '5'
    }
}

impl fmt::Display for Uscc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "tests may panic"
)]
mod tests {
    use super::*;

    /// Published example codes that must verify:
    /// - `91350100M000100Y43`: widely cited sample code (Fuzhou division 350100);
    /// - `91110000600037341L`: widely cited Beijing (110000) enterprise code.
    ///
    /// Both were also recomputed by hand (see `manual_sum_for_published_codes`)
    /// and by a separate Python script during development.
    const PUBLISHED: [&str; 2] = ["91350100M000100Y43", "91110000600037341L"];

    #[test]
    fn weights_are_powers_of_three_mod_31() {
        let mut w = 1_u32;
        for expected in USCC_WEIGHTS {
            assert_eq!(w, expected);
            w = w * 3 % 31;
        }
    }

    #[test]
    fn published_codes_verify() {
        for code in PUBLISHED {
            let u = Uscc::parse(code).unwrap();
            assert_eq!(u.as_str(), code);
        }
    }

    #[test]
    fn manual_sum_for_published_codes() {
        // Non-zero terms: 9·1 + 1·3 + 3·9 + 5·27 + 1·26 + M(21)·20 + 1·8
        // + Y(30)·30 + 4·28 = 9+3+27+135+26+420+8+900+112 = 1640;
        // 1640 mod 31 = 28 (31·52 = 1612); 31 − 28 = 3 → charset[3] = '3'. ✓
        // Likewise 91110000600037341: sum 538, 538 mod 31 = 11, 31 − 11 = 20 → 'L'. ✓
        let body = "91350100M000100Y4";
        let sum: u32 = body
            .chars()
            .zip(USCC_WEIGHTS)
            .map(|(c, w)| char_value(c).unwrap() * w)
            .sum();
        assert_eq!(sum, 1640);
        let check = (31 - sum % 31) % 31;
        assert_eq!(USCC_CHARSET.chars().nth(check as usize), Some('3'));
        let sum2: u32 = "91110000600037341"
            .chars()
            .zip(USCC_WEIGHTS)
            .map(|(c, w)| char_value(c).unwrap() * w)
            .sum();
        assert_eq!(sum2, 538);
        assert_eq!(uscc_check_char("91110000600037341"), Some('L'));
    }

    #[test]
    fn parse_table() {
        let cases: &[(&str, Result<&str, UsccError>)] = &[
            ("91350100M000100Y43", Ok("91350100M000100Y43")),
            ("91110000600037341L", Ok("91110000600037341L")),
            (" 91350100m000100y43\u{3000}", Ok("91350100M000100Y43")),
            ("91110000600037341l", Ok("91110000600037341L")),
            ("91350100M000100Y44", Err(UsccError::Checksum)),
            ("91110000600037341K", Err(UsccError::Checksum)),
            ("91350100M000100Y4", Err(UsccError::Format)),
            ("91350100M000100Y433", Err(UsccError::Format)),
            ("91350100I000100Y43", Err(UsccError::Format)), // I not allowed
            ("91350100O000100Y43", Err(UsccError::Format)),
            ("91350100Z000100Y43", Err(UsccError::Format)),
            ("91350100S000100Y43", Err(UsccError::Format)),
            ("91350100V000100Y43", Err(UsccError::Format)),
            ("913A0100M000100Y43", Err(UsccError::Format)), // letter in division
            ("9135 100M000100Y43", Err(UsccError::Format)),
            ("91350100M000100Y4３", Err(UsccError::Format)), // full-width digit
            ("", Err(UsccError::Format)),
        ];
        for (input, want) in cases {
            let got = Uscc::parse(input);
            match want {
                Ok(norm) => assert_eq!(got.unwrap().as_str(), *norm, "{input:?}"),
                Err(e) => assert_eq!(got, Err(*e), "{input:?}"),
            }
        }
    }

    #[test]
    fn computed_codes_round_trip() {
        // (17-char body, expected check char computed by this implementation)
        let cases: &[(&str, char)] = &[
            ("51110000500000000", 'B'),
            ("52310115MJ0000000", 'D'),
            ("53100000500021676", 'K'),
            ("12100000400010398", 'P'),
        ];
        for (body, want) in cases {
            let check = uscc_check_char(body).unwrap();
            assert_eq!(check, *want, "{body}");
            let full = format!("{body}{check}");
            assert_eq!(Uscc::parse(&full).map(|u| u.as_str().to_owned()), Ok(full));
        }
    }

    #[test]
    fn check_char_rejects_bad_bodies() {
        assert_eq!(uscc_check_char("9135010"), None);
        assert_eq!(uscc_check_char("91350100I000100Y4"), None);
        assert_eq!(uscc_check_char("91350100m000100Y4"), None);
        assert_eq!(uscc_check_char("91350100M000100Y4"), Some('3'));
    }

    #[test]
    fn any_single_character_change_is_rejected() {
        for good in PUBLISHED {
            let original: Vec<char> = good.chars().collect();
            for pos in 0..18 {
                for repl in USCC_CHARSET.chars() {
                    if original[pos] == repl {
                        continue;
                    }
                    let mut chars = original.clone();
                    chars[pos] = repl;
                    let s: String = chars.into_iter().collect();
                    let got = Uscc::parse(&s);
                    let is_division_letter = (2..8).contains(&pos) && !repl.is_ascii_digit();
                    let want = if is_division_letter {
                        UsccError::Format
                    } else {
                        UsccError::Checksum
                    };
                    assert_eq!(got, Err(want), "mutated {s}");
                }
            }
        }
    }

    #[test]
    fn accessors_table() {
        let cases: &[(&str, char, char, &str, bool)] = &[
            ("91350100M000100Y43", '9', '1', "350100", false),
            ("91110000600037341L", '9', '1', "110000", false),
        ];
        for (code, auth, ty, div, civil) in cases {
            let u = Uscc::parse(code).unwrap();
            assert_eq!(u.registration_authority(), *auth);
            assert_eq!(u.organization_type(), *ty);
            assert_eq!(u.division_code(), *div);
            assert_eq!(u.is_civil_affairs_registered(), *civil);
            assert_eq!(u.to_string(), *code);
        }
        let body = "53100000500021676";
        let full = format!("{body}{}", uscc_check_char(body).unwrap());
        let u = Uscc::parse(&full).unwrap();
        assert!(u.is_civil_affairs_registered());
        assert_eq!(u.organization_type(), '3');
    }

    #[test]
    fn error_codes_and_display() {
        let cases: &[(UsccError, &str)] = &[
            (UsccError::Format, "uscc_format"),
            (UsccError::Checksum, "uscc_checksum"),
        ];
        for (e, code) in cases {
            assert_eq!(e.code(), *code);
            assert_eq!(e.to_string(), e.message());
        }
    }
}
