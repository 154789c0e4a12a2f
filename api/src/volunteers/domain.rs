//! Volunteer-facing value objects ("parse, don't validate").
//!
//! Every constructor takes raw user input, normalises it and either returns a
//! value that is known to satisfy the rule or a [`FieldError`] with a stable
//! snake_case `code` the client can switch on plus an English message. The
//! messages never echo the rejected input, so they are safe to log.
//!
//! Only `std` and `chrono` are used. Nothing in this module panics: indexing
//! goes through `.get()`, arithmetic through `checked_*`/`saturating_*`.

use std::fmt;

use chrono::{Datelike, NaiveDate};

/// Why a value was refused: a stable snake_case code plus a human message (English).
///
/// `code` is part of the API contract (clients match on it); `message` is
/// for display only and may change. `Display` prints `message` alone.
/// Messages never contain the rejected input (it is usually personal data).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// Stable machine-readable reason, e.g. `id_number_checksum`.
    pub code: &'static str,
    /// Human-readable explanation in English.
    pub message: String,
}

impl FieldError {
    /// Builds an error from a stable `code` and an English `message`.
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for FieldError {}

// ---------------------------------------------------------------------------
// Error codes
// ---------------------------------------------------------------------------

const ID_FORMAT: &str = "id_number_format";
const ID_CHECKSUM: &str = "id_number_checksum";
const ID_BIRTH: &str = "id_number_birth_date";
const MOBILE_FORMAT: &str = "mobile_format";
const NAME_EMPTY: &str = "name_empty";
const NAME_TOO_LONG: &str = "name_too_long";
const NAME_CHARACTERS: &str = "name_characters";
const EMAIL_FORMAT: &str = "email_format";
const TEXT_EMPTY: &str = "text_empty";
const TEXT_TOO_LONG: &str = "text_too_long";
const TEXT_CHARACTERS: &str = "text_characters";

// ---------------------------------------------------------------------------
// Gender / ID kinds
// ---------------------------------------------------------------------------

/// Gender as encoded in an 18-character identity number.
///
/// Source: GB 11643-1999 §5.4 (sequence code): the 17th character is odd for
/// males and even for females. The 2017 Foreign Permanent Resident ID Card
/// uses the same convention for its 17th character.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Gender {
    /// Odd 17th digit.
    Male,
    /// Even 17th digit.
    Female,
}

/// Which identity document an [`IdNumber`] belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IdKind {
    /// 居民身份证: 18 characters per GB 11643-1999.
    ResidentIdCard,
    /// 港澳台居民居住证: GB 11643-1999 layout with address code
    /// 810000 (Hong Kong), 820000 (Macao) or 830000 (Taiwan), per
    /// 《港澳台居民居住证申领发放办法》(国办发〔2018〕81号) and the Ministry of
    /// Public Security numbering rule issued with it.
    HkMoTwResidencePermit,
    /// 外国人永久居留身份证: 2017 18-character layout (leading `9`) or the
    /// older 15-character layout (3 letters + 12 digits).
    ForeignPermanentResidenceCard,
    /// Passport (any issuing state): 5–20 characters A–Z / 0–9.
    Passport,
}

// ---------------------------------------------------------------------------
// GB 11643-1999 18-character number
// ---------------------------------------------------------------------------

/// Weights W_i = 2^(17-i) mod 11 for positions 1–17 (GB 11643-1999 §5.5).
const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// Check character for `sum mod 11` = 0..=10 (GB 11643-1999 §5.5, ISO 7064 MOD 11-2).
const ID_CHECK_MAP: [u8; 11] = *b"10X98765432";
/// Earliest birth date accepted (project policy).
const MIN_BIRTH: (i32, u32, u32) = (1900, 1, 1);

/// Computes the MOD 11-2 check character of a 17-digit body, or `None` if
/// `body` is not exactly 17 ASCII digits.
fn mod11_2_check(body: &[u8]) -> Option<u8> {
    if body.len() != ID_WEIGHTS.len() || !body.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let sum = body
        .iter()
        .zip(ID_WEIGHTS)
        .map(|(b, w)| u32::from(b.saturating_sub(b'0')) * w)
        .sum::<u32>();
    let idx = usize::try_from(sum % 11).ok()?;
    ID_CHECK_MAP.get(idx).copied()
}

/// Parses an ASCII digit run into a number (`None` on any non-digit).
fn digits_to_u32(digits: &[u8]) -> Option<u32> {
    digits.iter().try_fold(0_u32, |acc, b| {
        if b.is_ascii_digit() {
            acc.checked_mul(10)?.checked_add(u32::from(b - b'0'))
        } else {
            None
        }
    })
}

/// Trims surrounding Unicode whitespace (this includes U+3000 IDEOGRAPHIC SPACE).
fn trim_ws(raw: &str) -> &str {
    raw.trim_matches(char::is_whitespace)
}

/// The fields of an already checked 18-character MOD 11-2 number.
struct Parsed18 {
    value: String,
    birth: NaiveDate,
    gender: Gender,
}

/// Validates an 18-character, already trimmed and ASCII-upper-cased number:
/// 17 digits + `[0-9X]`, MOD 11-2 check, birth date at positions 7–14 in
/// `1900-01-01..=today`, gender from position 17.
fn parse_18(s: &str, today: NaiveDate) -> Result<Parsed18, FieldError> {
    let bytes = s.as_bytes();
    let format_err = || {
        FieldError::new(
            ID_FORMAT,
            "ID number must be 18 characters: 17 digits followed by a digit or X",
        )
    };
    if bytes.len() != 18 {
        return Err(format_err());
    }
    let body = bytes.get(..17).ok_or_else(format_err)?;
    let check = *bytes.get(17).ok_or_else(format_err)?;
    if !body.iter().all(u8::is_ascii_digit) || !(check.is_ascii_digit() || check == b'X') {
        return Err(format_err());
    }
    let expected = mod11_2_check(body).ok_or_else(format_err)?;
    if expected != check {
        return Err(FieldError::new(
            ID_CHECKSUM,
            "ID number check character does not match (GB 11643-1999 MOD 11-2)",
        ));
    }
    let birth_err = || {
        FieldError::new(
            ID_BIRTH,
            "ID number contains an impossible birth date (must be a real date between 1900-01-01 and today)",
        )
    };
    let year = bytes
        .get(6..10)
        .and_then(digits_to_u32)
        .and_then(|y| i32::try_from(y).ok());
    let month = bytes.get(10..12).and_then(digits_to_u32);
    let day = bytes.get(12..14).and_then(digits_to_u32);
    let birth = match (year, month, day) {
        (Some(y), Some(m), Some(d)) => NaiveDate::from_ymd_opt(y, m, d),
        _ => None,
    }
    .ok_or_else(birth_err)?;
    let min =
        NaiveDate::from_ymd_opt(MIN_BIRTH.0, MIN_BIRTH.1, MIN_BIRTH.2).ok_or_else(birth_err)?;
    if birth < min || birth > today {
        return Err(birth_err());
    }
    let gender_digit = bytes.get(16).copied().ok_or_else(format_err)?;
    let gender = if gender_digit.saturating_sub(b'0') % 2 == 1 {
        Gender::Male
    } else {
        Gender::Female
    };
    Ok(Parsed18 {
        value: s.to_owned(),
        birth,
        gender,
    })
}

/// Trims and ASCII-upper-cases an identity-number input.
fn normalise_id(raw: &str) -> String {
    trim_ws(raw).to_ascii_uppercase()
}

/// An 18-character PRC resident identity card number (公民身份号码).
///
/// Shape after normalisation: `^\d{17}[0-9X]$`, e.g. `11010519491231002X`.
///
/// Rules (source: GB 11643-1999 §5):
/// - §5.1 structure: 6-digit address code, 8-digit birth date, 3-digit
///   sequence code, 1 check character;
/// - §5.3 birth date `YYYYMMDD` (GB/T 7408) at positions 7–14: must be a
///   real calendar date, not after `today` and (project policy) not before
///   1900-01-01;
/// - §5.4 sequence code: 17th digit odd = male, even = female;
/// - §5.5 check character: ISO 7064:1983 MOD 11-2, weights
///   `7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2`, `sum mod 11` → `1 0 X 9 8 7 6 5 4 3 2`.
///
/// The address code is *not* checked against the GB/T 2260 division list
/// (the list changes over time and old codes remain valid on issued cards).
///
/// `Debug` prints the masked form so the full number never lands in logs.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct IdCardNumber {
    value: String,
    birth: NaiveDate,
    gender: Gender,
}

impl IdCardNumber {
    /// Parses a resident ID card number.
    ///
    /// Normalisation: trims surrounding whitespace (incl. U+3000) and
    /// upper-cases a trailing `x` to `X`.
    ///
    /// # Errors
    ///
    /// Codes (`FieldError::code`):
    /// - `id_number_format`: not 18 characters, or not 17 digits + `[0-9X]`;
    /// - `id_number_checksum`: MOD 11-2 check character mismatch;
    /// - `id_number_birth_date`: positions 7–14 are not a real date, are
    ///   after `today`, or before 1900-01-01.
    pub fn parse(raw: &str, today: NaiveDate) -> Result<Self, FieldError> {
        let p = parse_18(&normalise_id(raw), today)?;
        Ok(Self {
            value: p.value,
            birth: p.birth,
            gender: p.gender,
        })
    }

    /// The normalised 18-character number (upper-case `X`).
    pub fn as_str(&self) -> &str {
        &self.value
    }

    /// Birth date from positions 7–14 (GB 11643-1999 §5.3).
    pub fn birth_date(&self) -> NaiveDate {
        self.birth
    }

    /// Gender from the 17th digit (GB 11643-1999 §5.4).
    pub fn gender(&self) -> Gender {
        self.gender
    }

    /// The 6-digit address code, positions 1–6 (GB 11643-1999 §5.2, GB/T 2260).
    pub fn address_code(&self) -> &str {
        self.value.get(..6).unwrap_or("")
    }

    /// Display form per [`mask_id_number`], e.g. `1101**********002X`.
    pub fn masked(&self) -> String {
        mask_id_number(&self.value)
    }
}

impl fmt::Debug for IdCardNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("IdCardNumber").field(&self.masked()).finish()
    }
}

/// Address codes reserved for Hong Kong, Macao and Taiwan residence permits.
const HK_MO_TW_PREFIXES: [&str; 3] = ["810000", "820000", "830000"];

/// An identity document number of a given [`IdKind`].
///
/// Shapes after normalisation (trimmed, ASCII upper-cased):
/// - `ResidentIdCard`: see [`IdCardNumber`] (GB 11643-1999 §5);
/// - `HkMoTwResidencePermit`: same as `ResidentIdCard` and the address code
///   is `810000` (HK), `820000` (Macao) or `830000` (Taiwan)
///   (《港澳台居民居住证申领发放办法》, 国办发〔2018〕81号);
/// - `ForeignPermanentResidenceCard`: either the 2017 layout
///   `^9\d{16}[0-9X]$` (`9`, 2-digit issuing province, 3-digit nationality,
///   `YYYYMMDD` birth date, 2-digit sequence, gender digit, MOD 11-2 check
///   per GB 11643-1999 §5.5) or the pre-2017 layout `^[A-Z]{3}\d{12}$`
///   (ISO 3166-1 alpha-3 nationality + 12 digits; not checksummed here);
/// - `Passport`: `^[A-Z0-9]{5,20}$` (project policy, covering ICAO Doc 9303
///   document numbers, whose MRZ field uses only A–Z and 0–9).
///
/// Birth date and gender are available only for the 18-character layouts.
/// `Debug` prints the masked form.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct IdNumber {
    kind: IdKind,
    value: String,
    birth: Option<NaiveDate>,
    gender: Option<Gender>,
}

impl IdNumber {
    /// Parses `raw` as a document number of kind `id_type`.
    ///
    /// # Errors
    ///
    /// Codes (`FieldError::code`):
    /// - `id_number_format`: wrong length/characters for the kind, or a
    ///   residence permit whose address code is not 810000/820000/830000, or
    ///   an 18-character foreign card not starting with `9`;
    /// - `id_number_checksum`: MOD 11-2 mismatch (18-character layouts);
    /// - `id_number_birth_date`: impossible/future/pre-1900 birth date
    ///   (18-character layouts).
    pub fn parse(id_type: IdKind, raw: &str, today: NaiveDate) -> Result<Self, FieldError> {
        let s = normalise_id(raw);
        match id_type {
            IdKind::ResidentIdCard => Ok(Self::from_18(id_type, parse_18(&s, today)?)),
            IdKind::HkMoTwResidencePermit => {
                let p = parse_18(&s, today)?;
                if HK_MO_TW_PREFIXES.iter().any(|pre| p.value.starts_with(pre)) {
                    Ok(Self::from_18(id_type, p))
                } else {
                    Err(FieldError::new(
                        ID_FORMAT,
                        "residence permit number must start with 810000, 820000 or 830000",
                    ))
                }
            }
            IdKind::ForeignPermanentResidenceCard => Self::parse_foreign(&s, today),
            IdKind::Passport => {
                let len = s.chars().count();
                if (5..=20).contains(&len)
                    && s.chars()
                        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
                {
                    Ok(Self {
                        kind: id_type,
                        value: s,
                        birth: None,
                        gender: None,
                    })
                } else {
                    Err(FieldError::new(
                        ID_FORMAT,
                        "passport number must be 5 to 20 letters A-Z or digits",
                    ))
                }
            }
        }
    }

    fn from_18(kind: IdKind, p: Parsed18) -> Self {
        Self {
            kind,
            value: p.value,
            birth: Some(p.birth),
            gender: Some(p.gender),
        }
    }

    fn parse_foreign(s: &str, today: NaiveDate) -> Result<Self, FieldError> {
        let kind = IdKind::ForeignPermanentResidenceCard;
        let format_err = || {
            FieldError::new(
                ID_FORMAT,
                "foreign permanent residence card number must be 18 characters starting with 9, or 3 letters followed by 12 digits",
            )
        };
        let bytes = s.as_bytes();
        match bytes.len() {
            18 if s.is_ascii() && s.starts_with('9') => {
                Ok(Self::from_18(kind, parse_18(s, today)?))
            }
            15 => {
                let letters = bytes.get(..3).ok_or_else(format_err)?;
                let digits = bytes.get(3..).ok_or_else(format_err)?;
                if letters.iter().all(u8::is_ascii_uppercase)
                    && digits.iter().all(u8::is_ascii_digit)
                {
                    Ok(Self {
                        kind,
                        value: s.to_owned(),
                        birth: None,
                        gender: None,
                    })
                } else {
                    Err(format_err())
                }
            }
            _ => Err(format_err()),
        }
    }

    /// Which document this number belongs to.
    pub fn kind(&self) -> IdKind {
        self.kind
    }

    /// The normalised number (trimmed, ASCII upper-case).
    pub fn as_str(&self) -> &str {
        &self.value
    }

    /// Birth date for 18-character layouts (positions 7–14), else `None`.
    pub fn birth_date(&self) -> Option<NaiveDate> {
        self.birth
    }

    /// Gender for 18-character layouts (17th digit odd/even), else `None`.
    pub fn gender(&self) -> Option<Gender> {
        self.gender
    }

    /// Display form per [`mask_id_number`].
    pub fn masked(&self) -> String {
        mask_id_number(&self.value)
    }
}

impl fmt::Debug for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IdNumber")
            .field("kind", &self.kind)
            .field("value", &self.masked())
            .finish()
    }
}

impl From<IdCardNumber> for IdNumber {
    fn from(id: IdCardNumber) -> Self {
        Self {
            kind: IdKind::ResidentIdCard,
            value: id.value,
            birth: Some(id.birth),
            gender: Some(id.gender),
        }
    }
}

// ---------------------------------------------------------------------------
// Masking
// ---------------------------------------------------------------------------

/// Keeps the first `head` and last `tail` characters of `s`, `*` for each other char.
fn mask_keep(s: &str, head: usize, tail: usize) -> String {
    let n = s.chars().count();
    s.chars()
        .enumerate()
        .map(|(i, c)| {
            if i < head || i.saturating_add(tail) >= n {
                c
            } else {
                '*'
            }
        })
        .collect()
}

/// Masks an identity-document number for display.
///
/// Shape: more than 8 characters → first 4 and last 4 kept, every other
/// character replaced by one `*` (`11010519491231002X` → `1101**********002X`);
/// 8 characters or fewer → only the last 2 kept (`E1234567` → `******67`;
/// inputs of 1–2 characters are therefore returned unchanged).
/// Counts Unicode scalar values, never panics.
///
/// Source: project privacy policy, following the display-restriction
/// guidance of GB/T 35273-2020 (个人信息的展示限制: de-identify personal
/// information shown on screens).
pub fn mask_id_number(s: &str) -> String {
    if s.chars().count() <= 8 {
        mask_keep(s, 0, 2)
    } else {
        mask_keep(s, 4, 4)
    }
}

/// Masks a mobile number for display.
///
/// Shape: exactly 11 characters → first 3 and last 4 kept
/// (`13812341234` → `138****1234`); any other length falls back to
/// [`mask_id_number`]. Never panics.
///
/// Source: project privacy policy (common PRC practice of hiding digits 4–7).
pub fn mask_mobile(s: &str) -> String {
    if s.chars().count() == 11 {
        mask_keep(s, 3, 4)
    } else {
        mask_id_number(s)
    }
}

// ---------------------------------------------------------------------------
// Mobile
// ---------------------------------------------------------------------------

/// A mainland-China mobile number, normalised to 11 digits.
///
/// Shape: `^1[3-9]\d{9}$`, e.g. `13812341234`.
///
/// Source: MIIT 《电信网编号计划》(2017) — mobile numbers are 11 digits
/// starting `13`–`19`; country code `86` per ITU-T E.164, `00` is the PRC
/// international call prefix.
///
/// `Debug` prints the masked form.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Mobile(String);

impl Mobile {
    /// Parses a mobile number.
    ///
    /// Normalisation: trims; removes all whitespace and `-` inside; strips a
    /// leading `+86`, `0086` or `86` when exactly 11 digits follow.
    ///
    /// # Errors
    ///
    /// Codes: `mobile_format` when the result is not `^1[3-9]\d{9}$`
    /// (including a `+86` prefix not followed by exactly 11 digits).
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let err = || {
            FieldError::new(
                MOBILE_FORMAT,
                "mobile number must be an 11-digit mainland China number starting with 13-19",
            )
        };
        let compact: String = trim_ws(raw)
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        let is_11_digits = |s: &str| s.len() == 11 && s.bytes().all(|b| b.is_ascii_digit());
        let number = if let Some(rest) = compact.strip_prefix("+86") {
            if !is_11_digits(rest) {
                return Err(err());
            }
            rest
        } else if let Some(rest) = compact.strip_prefix("0086").filter(|r| is_11_digits(r)) {
            rest
        } else if let Some(rest) = compact.strip_prefix("86").filter(|r| is_11_digits(r)) {
            rest
        } else {
            compact.as_str()
        };
        let bytes = number.as_bytes();
        let ok = is_11_digits(number)
            && bytes.first() == Some(&b'1')
            && bytes.get(1).is_some_and(|b| (b'3'..=b'9').contains(b));
        if ok {
            Ok(Self(number.to_owned()))
        } else {
            Err(err())
        }
    }

    /// The 11 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Display form per [`mask_mobile`], e.g. `138****1234`.
    pub fn masked(&self) -> String {
        mask_mobile(&self.0)
    }
}

impl fmt::Debug for Mobile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Mobile").field(&self.masked()).finish()
    }
}

// ---------------------------------------------------------------------------
// Person name
// ---------------------------------------------------------------------------

/// Maximum length of a [`PersonName`] in Unicode scalar values.
pub const PERSON_NAME_MAX_CHARS: usize = 50;

/// Invisible / format characters refused in names: zero-width and
/// directional marks (U+200B–U+200F), bidi embeddings/overrides
/// (U+202A–U+202E), word joiner and invisible operators (U+2060–U+2064),
/// BOM / zero-width no-break space (U+FEFF).
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}')
}

/// A person's name as written on their identity document.
///
/// Shape: 1–50 Unicode scalar values after normalisation; letters of any
/// script (`char::is_alphabetic`: Han incl. extension blocks, Latin with
/// accents, Cyrillic, …), combining diacritics U+0300–U+036F after a
/// letter, the middle dot `·` (U+00B7), apostrophes `'` and `’`, hyphen `-`,
/// full stop `.` (initials such as `J. Smith`) and single inner spaces; at
/// least one letter.
///
/// Normalisation: trims (incl. U+3000); collapses each run of inner
/// whitespace to one ASCII space; maps `•` (U+2022), `・` (U+30FB), `･`
/// (U+FF65) and `‧` (U+2027, Big5 middle dot) to `·` (U+00B7).
///
/// Source: project policy. `·` (U+00B7) is the separator printed on PRC
/// identity documents between parts of minority and transliterated foreign
/// names, hence the look-alike folding; the refused invisible characters are
/// Unicode format characters (general category Cf) and the bidi controls of
/// Unicode UAX #9; the 50-character cap is project policy.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PersonName(String);

impl PersonName {
    /// Parses and normalises a name.
    ///
    /// # Errors
    ///
    /// Codes (`FieldError::code`):
    /// - `name_empty`: nothing left after trimming;
    /// - `name_characters`: control, invisible/format or digit characters,
    ///   any symbol outside the allowed set, a combining mark not following a
    ///   letter, or no letter at all (only punctuation/dots/spaces);
    /// - `name_too_long`: more than 50 characters after normalisation.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let trimmed = trim_ws(raw);
        if trimmed.is_empty() {
            return Err(FieldError::new(NAME_EMPTY, "name must not be empty"));
        }
        let chars_err = || {
            FieldError::new(
                NAME_CHARACTERS,
                "name may contain only letters, middle dots, apostrophes, hyphens, full stops and single spaces",
            )
        };
        let mut out = String::with_capacity(trimmed.len());
        let mut pending_space = false;
        let mut has_letter = false;
        let mut prev_letter = false;
        for c in trimmed.chars() {
            if c.is_control() || is_invisible(c) {
                return Err(chars_err());
            }
            if c.is_whitespace() {
                pending_space = true;
                prev_letter = false;
                continue;
            }
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            let c = match c {
                '\u{2022}' | '\u{30FB}' | '\u{FF65}' | '\u{2027}' => '\u{00B7}',
                other => other,
            };
            if c.is_numeric() {
                return Err(chars_err());
            }
            if c.is_alphabetic() {
                has_letter = true;
                prev_letter = true;
            } else if ('\u{0300}'..='\u{036F}').contains(&c) {
                if !prev_letter {
                    return Err(chars_err());
                }
            } else if matches!(c, '\u{00B7}' | '\'' | '\u{2019}' | '-' | '.') {
                prev_letter = false;
            } else {
                return Err(chars_err());
            }
            out.push(c);
        }
        if !has_letter {
            return Err(chars_err());
        }
        if out.chars().count() > PERSON_NAME_MAX_CHARS {
            return Err(FieldError::new(
                NAME_TOO_LONG,
                format!("name must be at most {PERSON_NAME_MAX_CHARS} characters"),
            ));
        }
        Ok(Self(out))
    }

    /// The normalised name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

// ---------------------------------------------------------------------------
// Email
// ---------------------------------------------------------------------------

/// Maximum total length of an address (RFC 5321 §4.5.3.1.3 path limit of
/// 256 octets minus the angle brackets, see RFC 3696 errata 1690).
const EMAIL_MAX: usize = 254;
/// Maximum local-part length (RFC 5321 §4.5.3.1.1).
const EMAIL_LOCAL_MAX: usize = 64;

/// A syntactically plausible e-mail address (not a full RFC 5322 parser).
///
/// Shape: `local@domain`, at most 254 characters, exactly one `@`, local
/// part 1–64 characters, domain containing at least one `.` with no empty
/// labels, no whitespace or control characters anywhere. The domain is
/// ASCII-lower-cased; the local part is kept as typed (RFC 5321 §2.4: it
/// may be case-sensitive).
///
/// Source: RFC 5322 §3.4.1 (addr-spec) and RFC 5321 §4.5.3.1 (size limits);
/// the "must contain a dot" rule is project policy (no bare TLD addresses).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    /// Parses an e-mail address after trimming surrounding whitespace.
    ///
    /// # Errors
    ///
    /// Codes: `email_format` for any violation of the shape above.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let err = || FieldError::new(EMAIL_FORMAT, "e-mail address is not valid");
        let s = trim_ws(raw);
        if s.chars().count() > EMAIL_MAX || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(err());
        }
        let mut parts = s.split('@');
        let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(err());
        };
        if local.is_empty() || local.chars().count() > EMAIL_LOCAL_MAX {
            return Err(err());
        }
        if !domain.contains('.') || domain.split('.').any(str::is_empty) {
            return Err(err());
        }
        Ok(Self(format!("{local}@{}", domain.to_ascii_lowercase())))
    }

    /// The normalised address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

// ---------------------------------------------------------------------------
// Age
// ---------------------------------------------------------------------------

/// Age in completed years on `today` for someone born on `birth`.
///
/// Shape: `0` if `today` is on or before `birth`. A 29 February birthday is
/// reached on 1 March in non-leap years (the person is not yet a year
/// older on 28 February).
///
/// Source: project policy — completed years by the Gregorian calendar, the
/// anniversary being reached on the birthday itself. Note that for criminal
/// responsibility the Supreme People's Court counts 周岁 from the day *after*
/// the birthday (法释〔2006〕1号 Art. 2); callers applying such legal age
/// thresholds must add that day themselves.
pub fn age_on(birth: NaiveDate, today: NaiveDate) -> u32 {
    if today <= birth {
        return 0;
    }
    let mut years = today.year().saturating_sub(birth.year());
    if (today.month(), today.day()) < (birth.month(), birth.day()) {
        years = years.saturating_sub(1);
    }
    u32::try_from(years).unwrap_or(0)
}

// ---------------------------------------------------------------------------
// Free text
// ---------------------------------------------------------------------------

/// Bidi embedding/override/isolate controls refused in free text
/// (U+202A–U+202E, U+2066–U+2069; "Trojan Source", CVE-2021-42574).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Cleans a short free-text field (skills, relation, education, …).
///
/// Shape: trimmed (incl. U+3000), 1..=`max_chars` Unicode scalar values,
/// no control characters (`char::is_control`, which includes `\n` and `\t`)
/// and no bidi embedding/override/isolate controls. Inner text is
/// otherwise kept as typed.
///
/// # Errors
///
/// Codes: `text_empty` (nothing after trimming),
/// `text_characters` (control or bidi control character),
/// `text_too_long` (more than `max_chars` characters).
///
/// Source: project policy; bidi rule from Unicode UAX #9 / CVE-2021-42574.
pub fn clean_text(raw: &str, max_chars: usize) -> Result<String, FieldError> {
    let s = trim_ws(raw);
    if s.is_empty() {
        return Err(FieldError::new(TEXT_EMPTY, "text must not be empty"));
    }
    if s.chars().any(|c| c.is_control() || is_bidi_control(c)) {
        return Err(FieldError::new(
            TEXT_CHARACTERS,
            "text must not contain control characters",
        ));
    }
    if s.chars().count() > max_chars {
        return Err(FieldError::new(
            TEXT_TOO_LONG,
            format!("text must be at most {max_chars} characters"),
        ));
    }
    Ok(s.to_owned())
}

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "tests may panic"
)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn today() -> NaiveDate {
        d(2025, 6, 1)
    }

    fn code<T>(r: Result<T, FieldError>) -> &'static str {
        match r {
            Ok(_) => "ok",
            Err(e) => e.code,
        }
    }

    #[test]
    fn check_char_matches_gb11643_annex_examples() {
        assert_eq!(mod11_2_check(b"11010519491231002"), Some(b'X'));
        // Annex A male example 440524188001010014: check character is right.
        assert_eq!(mod11_2_check(b"44052418800101001"), Some(b'4'));
        assert_eq!(mod11_2_check(b"44052419800101001"), Some(b'3'));
        assert_eq!(mod11_2_check(b"1101051949123100"), None);
        assert_eq!(mod11_2_check(b"1101051949123100A"), None);
    }

    #[test]
    fn id_card_table() {
        // (input, expected code)
        let cases: &[(&str, &str)] = &[
            ("11010519491231002X", "ok"),
            // GB 11643-1999 Annex A example: checksum is right, but its 1880
            // birth date is below this module's 1900-01-01 floor.
            ("440524188001010014", "id_number_birth_date"),
            ("440524198001010013", "ok"), // same, born 1980
            ("11010519491231002x", "ok"),
            ("  11010519491231002X  ", "ok"),
            ("\u{3000}11010519491231002X\u{3000}", "ok"),
            ("\t440524198001010013\n", "ok"),
            ("110105200002290021", "ok"), // leap day 2000
            ("11010519000101001X", "ok"), // earliest accepted date
            ("110105202402290011", "ok"), // leap day 2024
            ("110105194912310021", "id_number_checksum"), // wrong check digit
            ("110105194912310029", "id_number_checksum"),
            ("440524188001010015", "id_number_checksum"),
            ("110105200002300015", "id_number_birth_date"), // Feb 30
            ("110105209901010012", "id_number_birth_date"), // future
            ("110105189912310015", "id_number_birth_date"), // before 1900
            ("11010519491231002", "id_number_format"),      // 17 chars
            ("11010519491231002XX", "id_number_format"),    // 19 chars
            ("1101051949A231002X", "id_number_format"),     // letter inside
            ("X10105194912310021", "id_number_format"),     // X not last
            ("11010519491231002Y", "id_number_format"),
            ("1101051949 1231002X", "id_number_format"), // inner space
            ("１１０１０５１９４９１２３１００２Ｘ", "id_number_format"), // full-width
            ("", "id_number_format"),
            ("   ", "id_number_format"),
        ];
        for (input, want) in cases {
            assert_eq!(
                code(IdCardNumber::parse(input, today())),
                *want,
                "input {input:?}"
            );
        }
    }

    #[test]
    fn id_card_fields() {
        let cases: &[(&str, &str, NaiveDate, Gender, &str, &str)] = &[
            (
                "11010519491231002X",
                "11010519491231002X",
                d(1949, 12, 31),
                Gender::Female,
                "110105",
                "1101**********002X",
            ),
            (
                " 440524198001010013 ",
                "440524198001010013",
                d(1980, 1, 1),
                Gender::Male,
                "440524",
                "4405**********0013",
            ),
            (
                "11010519491231002x",
                "11010519491231002X",
                d(1949, 12, 31),
                Gender::Female,
                "110105",
                "1101**********002X",
            ),
        ];
        for (input, norm, birth, gender, addr, masked) in cases {
            let id = IdCardNumber::parse(input, today()).unwrap();
            assert_eq!(id.as_str(), *norm);
            assert_eq!(id.birth_date(), *birth);
            assert_eq!(id.gender(), *gender);
            assert_eq!(id.address_code(), *addr);
            assert_eq!(id.masked(), *masked);
            assert_eq!(format!("{id:?}"), format!("IdCardNumber({masked:?})"));
        }
    }

    #[test]
    fn id_card_birth_today_is_accepted_tomorrow_is_not() {
        // 110105 20250601 001 ? computed with the tested check function
        let mut body = b"11010520250601001".to_vec();
        body.push(mod11_2_check(&body).unwrap());
        let s = String::from_utf8(body).unwrap();
        assert_eq!(code(IdCardNumber::parse(&s, d(2025, 6, 1))), "ok");
        assert_eq!(
            code(IdCardNumber::parse(&s, d(2025, 5, 31))),
            "id_number_birth_date"
        );
    }

    #[test]
    fn id_card_any_single_digit_change_is_rejected() {
        let good = "11010519491231002X";
        for pos in 0..18 {
            for repl in "0123456789X".chars() {
                let mut chars: Vec<char> = good.chars().collect();
                if chars[pos] == repl {
                    continue;
                }
                chars[pos] = repl;
                let s: String = chars.into_iter().collect();
                assert!(
                    IdCardNumber::parse(&s, today()).is_err(),
                    "accepted mutated {s}"
                );
            }
        }
    }

    #[test]
    fn id_number_table() {
        use IdKind::*;
        // (kind, input, expected code, normalised, birth, gender)
        type Row = (
            IdKind,
            &'static str,
            &'static str,
            &'static str,
            Option<NaiveDate>,
            Option<Gender>,
        );
        let cases: &[Row] = &[
            (
                ResidentIdCard,
                "11010519491231002x",
                "ok",
                "11010519491231002X",
                Some(d(1949, 12, 31)),
                Some(Gender::Female),
            ),
            (
                ResidentIdCard,
                "11010519491231002",
                "id_number_format",
                "",
                None,
                None,
            ),
            (
                HkMoTwResidencePermit,
                "810000199001010019",
                "ok",
                "810000199001010019",
                Some(d(1990, 1, 1)),
                Some(Gender::Male),
            ),
            (
                HkMoTwResidencePermit,
                "820000199001010029",
                "ok",
                "820000199001010029",
                Some(d(1990, 1, 1)),
                Some(Gender::Female),
            ),
            (
                HkMoTwResidencePermit,
                " 830000199001010039 ",
                "ok",
                "830000199001010039",
                Some(d(1990, 1, 1)),
                Some(Gender::Male),
            ),
            (
                HkMoTwResidencePermit,
                "11010519491231002X",
                "id_number_format",
                "",
                None,
                None,
            ),
            (
                HkMoTwResidencePermit,
                "810000199001010018",
                "id_number_checksum",
                "",
                None,
                None,
            ),
            (
                ForeignPermanentResidenceCard,
                "911156199001010010",
                "ok",
                "911156199001010010",
                Some(d(1990, 1, 1)),
                Some(Gender::Male),
            ),
            (
                ForeignPermanentResidenceCard,
                "911156200002290021",
                "ok",
                "911156200002290021",
                Some(d(2000, 2, 29)),
                Some(Gender::Female),
            ),
            (
                ForeignPermanentResidenceCard,
                "911156199001010011",
                "id_number_checksum",
                "",
                None,
                None,
            ),
            (
                ForeignPermanentResidenceCard,
                "11010519491231002X",
                "id_number_format",
                "",
                None,
                None,
            ),
            (
                ForeignPermanentResidenceCard,
                "USA110690101234",
                "ok",
                "USA110690101234",
                None,
                None,
            ),
            (
                ForeignPermanentResidenceCard,
                "usa110690101234",
                "ok",
                "USA110690101234",
                None,
                None,
            ),
            (
                ForeignPermanentResidenceCard,
                "US1110690101234",
                "id_number_format",
                "",
                None,
                None,
            ),
            (
                ForeignPermanentResidenceCard,
                "USA11069010123X",
                "id_number_format",
                "",
                None,
                None,
            ),
            (
                ForeignPermanentResidenceCard,
                "USA11069010123",
                "id_number_format",
                "",
                None,
                None,
            ),
            (Passport, " e12345678 ", "ok", "E12345678", None, None),
            (Passport, "G1234", "ok", "G1234", None, None),
            (
                Passport,
                "ABCDEFGHIJ0123456789",
                "ok",
                "ABCDEFGHIJ0123456789",
                None,
                None,
            ),
            (Passport, "G123", "id_number_format", "", None, None),
            (
                Passport,
                "ABCDEFGHIJ01234567890",
                "id_number_format",
                "",
                None,
                None,
            ),
            (Passport, "E1234-5678", "id_number_format", "", None, None),
            (Passport, "E1234 5678", "id_number_format", "", None, None),
            (Passport, "É12345678", "id_number_format", "", None, None),
        ];
        for (kind, input, want, norm, birth, gender) in cases {
            let r = IdNumber::parse(*kind, input, today());
            assert_eq!(code(r.clone()), *want, "{kind:?} {input:?}");
            if let Ok(id) = r {
                assert_eq!(id.kind(), *kind);
                assert_eq!(id.as_str(), *norm);
                assert_eq!(id.birth_date(), *birth);
                assert_eq!(id.gender(), *gender);
                assert_eq!(id.masked(), mask_id_number(norm));
            }
        }
    }

    #[test]
    fn id_number_from_id_card() {
        let card = IdCardNumber::parse("440524198001010013", today()).unwrap();
        let id: IdNumber = card.into();
        assert_eq!(id.kind(), IdKind::ResidentIdCard);
        assert_eq!(id.gender(), Some(Gender::Male));
    }

    #[test]
    fn masking_table() {
        let ids: &[(&str, &str)] = &[
            ("11010519491231002X", "1101**********002X"),
            ("USA110690101234", "USA1*******1234"),
            ("E12345678", "E123*5678"),
            ("E1234567", "******67"),
            ("G1234", "***34"),
            ("AB", "AB"),
            ("A", "A"),
            ("", ""),
            ("张三李四王五赵六钱七", "张三李四**赵六钱七"),
        ];
        for (input, want) in ids {
            assert_eq!(mask_id_number(input), *want, "{input:?}");
        }
        let mobiles: &[(&str, &str)] = &[
            ("13812341234", "138****1234"),
            ("1381234123", "1381**4123"), // not 11 chars: generic rule
            ("", ""),
        ];
        for (input, want) in mobiles {
            assert_eq!(mask_mobile(input), *want, "{input:?}");
        }
    }

    #[test]
    fn mobile_table() {
        let cases: &[(&str, Result<&str, &str>)] = &[
            ("13812341234", Ok("13812341234")),
            (" 138 1234 1234 ", Ok("13812341234")),
            ("138-1234-1234", Ok("13812341234")),
            ("+86 138 1234 1234", Ok("13812341234")),
            ("+8613812341234", Ok("13812341234")),
            ("8613812341234", Ok("13812341234")),
            ("008613812341234", Ok("13812341234")),
            ("0086-138-1234-1234", Ok("13812341234")),
            ("\u{3000}19912341234\u{3000}", Ok("19912341234")),
            ("12812341234", Err("mobile_format")),
            ("23812341234", Err("mobile_format")),
            ("1381234123", Err("mobile_format")),
            ("138123412345", Err("mobile_format")),
            ("+86138123412", Err("mobile_format")),
            ("+1 13812341234", Err("mobile_format")),
            ("86138123412", Err("mobile_format")),
            ("1381234123a", Err("mobile_format")),
            ("１３８１２３４１２３４", Err("mobile_format")),
            ("", Err("mobile_format")),
        ];
        for (input, want) in cases {
            let got = Mobile::parse(input);
            match want {
                Ok(norm) => assert_eq!(got.unwrap().as_str(), *norm, "{input:?}"),
                Err(c) => assert_eq!(code(got), *c, "{input:?}"),
            }
        }
        let m = Mobile::parse("13812341234").unwrap();
        assert_eq!(m.masked(), "138****1234");
        assert_eq!(format!("{m:?}"), "Mobile(\"138****1234\")");
    }

    #[test]
    fn person_name_table() {
        let long51: String = "张".repeat(51);
        let long50: String = "张".repeat(50);
        let cases: Vec<(&str, Result<&str, &str>)> = vec![
            ("张三", Ok("张三")),
            ("\u{3000}张三\u{3000}", Ok("张三")),
            ("欧阳娜娜", Ok("欧阳娜娜")),
            ("买买提·艾力", Ok("买买提·艾力")),
            ("买买提•艾力", Ok("买买提·艾力")),
            ("买买提・艾力", Ok("买买提·艾力")),
            ("买买提‧艾力", Ok("买买提·艾力")),
            ("José Müller", Ok("José Müller")),
            ("Jose\u{301} Mu\u{308}ller", Ok("Jose\u{301} Mu\u{308}ller")),
            ("O'Brien", Ok("O'Brien")),
            ("Anne-Marie  O’Neil", Ok("Anne-Marie O’Neil")),
            ("Mary J.  \u{3000} Smith", Ok("Mary J. Smith")),
            ("Mary\tSmith", Err("name_characters")), // tab is a control char
            ("Иван Петров", Ok("Иван Петров")),
            ("𠀀𠀁", Ok("𠀀𠀁")), // CJK Extension B
            (long50.as_str(), Ok(long50.as_str())),
            (long51.as_str(), Err("name_too_long")),
            ("", Err("name_empty")),
            ("  \u{3000} ", Err("name_empty")),
            ("···", Err("name_characters")),
            ("- ' .", Err("name_characters")),
            ("张三1", Err("name_characters")),
            ("张三１", Err("name_characters")),
            ("Louis Ⅳ", Err("name_characters")),
            ("张\u{200B}三", Err("name_characters")),
            ("张\u{202E}三", Err("name_characters")),
            ("张\u{2060}三", Err("name_characters")),
            ("\u{FEFF}张三", Err("name_characters")),
            ("张\n三", Err("name_characters")),
            ("张\u{0}三", Err("name_characters")),
            ("张三😀", Err("name_characters")),
            ("张三@", Err("name_characters")),
            ("\u{301}abc", Err("name_characters")),
        ];
        for (input, want) in cases {
            let got = PersonName::parse(input);
            match want {
                Ok(norm) => assert_eq!(
                    got.map(|n| n.as_str().to_owned()),
                    Ok(norm.to_owned()),
                    "{input:?}"
                ),
                Err(c) => assert_eq!(code(got), c, "{input:?}"),
            }
        }
    }

    #[test]
    fn email_table() {
        let long_local = format!("{}@example.com", "a".repeat(65));
        let long_total = format!("a@{}.com", "b".repeat(250));
        let cases: Vec<(&str, Result<&str, &str>)> = vec![
            ("user@example.com", Ok("user@example.com")),
            (
                "  User.Name+tag@Example.COM ",
                Ok("User.Name+tag@example.com"),
            ),
            ("a@b.cn", Ok("a@b.cn")),
            ("张三@例子.中国", Ok("张三@例子.中国")),
            ("", Err("email_format")),
            ("userexample.com", Err("email_format")),
            ("@example.com", Err("email_format")),
            ("a@@example.com", Err("email_format")),
            ("a@b@example.com", Err("email_format")),
            ("a@localhost", Err("email_format")),
            ("a@exa mple.com", Err("email_format")),
            ("a b@example.com", Err("email_format")),
            ("a@.example.com", Err("email_format")),
            ("a@example.com.", Err("email_format")),
            ("a@example..com", Err("email_format")),
            ("a@", Err("email_format")),
            (long_local.as_str(), Err("email_format")),
            (long_total.as_str(), Err("email_format")),
        ];
        for (input, want) in cases {
            let got = Email::parse(input);
            match want {
                Ok(norm) => assert_eq!(got.unwrap().as_str(), norm, "{input:?}"),
                Err(c) => assert_eq!(code(got), c, "{input:?}"),
            }
        }
    }

    #[test]
    fn age_table() {
        let cases: &[(NaiveDate, NaiveDate, u32)] = &[
            (d(2000, 6, 1), d(2025, 6, 1), 25),
            (d(2000, 6, 2), d(2025, 6, 1), 24),
            (d(2000, 5, 31), d(2025, 6, 1), 25),
            (d(2008, 2, 29), d(2026, 2, 28), 17),
            (d(2008, 2, 29), d(2026, 3, 1), 18),
            (d(2008, 2, 29), d(2028, 2, 29), 20),
            (d(2008, 2, 29), d(2028, 2, 28), 19),
            (d(2025, 6, 1), d(2025, 6, 1), 0),
            (d(2025, 6, 2), d(2025, 6, 1), 0),
            (d(1900, 1, 1), d(2025, 6, 1), 125),
            (d(2024, 12, 31), d(2025, 1, 1), 0),
        ];
        for (birth, on, want) in cases {
            assert_eq!(age_on(*birth, *on), *want, "{birth} on {on}");
        }
    }

    #[test]
    fn clean_text_table() {
        let cases: &[(&str, usize, Result<&str, &str>)] = &[
            ("  急救, 摄影 ", 10, Ok("急救, 摄影")),
            ("\u{3000}本科\u{3000}", 2, Ok("本科")),
            ("abc", 3, Ok("abc")),
            ("abcd", 3, Err("text_too_long")),
            ("", 3, Err("text_empty")),
            (" \u{3000}\t", 3, Err("text_empty")),
            ("a\nb", 10, Err("text_characters")),
            ("a\u{7}b", 10, Err("text_characters")),
            ("a\u{202E}b", 10, Err("text_characters")),
            ("a\u{2066}b", 10, Err("text_characters")),
            ("x", 0, Err("text_too_long")),
        ];
        for (input, max, want) in cases {
            let got = clean_text(input, *max);
            match want {
                Ok(norm) => assert_eq!(got.unwrap(), *norm, "{input:?}"),
                Err(c) => assert_eq!(code(got), *c, "{input:?}"),
            }
        }
    }

    #[test]
    fn field_error_display() {
        let e = FieldError::new("mobile_format", "bad");
        assert_eq!(e.to_string(), "bad");
    }
}
