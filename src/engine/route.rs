//! Hash routes (`#/<lab>[/<demo>][?s=<scenario>][&embed=1]`) and the share codec that packs a
//! scenario into a URL-safe string (raw deflate + base64url, no server needed).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;

use crate::engine::i18n::Lang;
use crate::engine::lab::LabId;

/// What the hash points at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Page {
    Lab(LabId),
    Env,
    /// A lab id this build does not know; the page says so and links home.
    Unknown(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    pub page: Page,
    pub demo: Option<String>,
    /// The compressed scenario (`s=`), still encoded: decoding can fail and must be reported.
    pub scenario: Option<String>,
    pub embed: bool,
    /// `lang=zh` or `lang=en`: the page's language, chosen by whoever made the link.
    pub lang: Option<Lang>,
}

impl Default for Route {
    fn default() -> Self {
        Route {
            page: Page::Lab(LabId::Cpu),
            demo: None,
            scenario: None,
            embed: false,
            lang: None,
        }
    }
}

impl Route {
    /// Parses `location.hash` (with or without the leading `#`). Never fails: an empty hash is
    /// the first lab, an unknown lab becomes `Page::Unknown`.
    pub fn parse(hash: &str) -> Route {
        let h = hash.trim_start_matches('#').trim_start_matches('/');
        let (path, query) = match h.split_once('?') {
            Some((p, q)) => (p, q),
            None => (h, ""),
        };
        let mut parts = path.split('/').filter(|p| !p.is_empty());
        let page = match parts.next() {
            None => Page::Lab(LabId::Cpu),
            Some("env") => Page::Env,
            Some(id) => LabId::parse(id).map_or_else(|| Page::Unknown(id.to_string()), Page::Lab),
        };
        let demo = parts.next().map(str::to_string);
        let mut route = Route {
            page,
            demo,
            scenario: None,
            embed: false,
            lang: None,
        };
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            match k {
                "s" => route.scenario = Some(v.to_string()),
                "embed" => route.embed = v == "1" || v == "true",
                "lang" => {
                    route.lang = match v {
                        "zh" => Some(Lang::Zh),
                        "en" => Some(Lang::En),
                        _ => None,
                    }
                }
                _ => {}
            }
        }
        route
    }

    pub fn to_hash(&self) -> String {
        let mut h = match &self.page {
            Page::Lab(l) => format!("#/{}", l.as_str()),
            Page::Env => "#/env".to_string(),
            Page::Unknown(s) => format!("#/{s}"),
        };
        if let Some(d) = &self.demo {
            h.push('/');
            h.push_str(d);
        }
        let mut sep = '?';
        if let Some(s) = &self.scenario {
            h.push(sep);
            h.push_str("s=");
            h.push_str(s);
            sep = '&';
        }
        if self.embed {
            h.push(sep);
            h.push_str("embed=1");
            sep = '&';
        }
        if let Some(lang) = self.lang {
            h.push(sep);
            h.push_str("lang=");
            h.push_str(lang.code());
        }
        h
    }
}

/// Why a shared link's scenario could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ShareError {
    NotBase64,
    NotDeflate,
    NotUtf8,
    TooLong,
}

impl ShareError {
    pub fn code(&self) -> &'static str {
        match self {
            ShareError::NotBase64 => "link-not-base64",
            ShareError::NotDeflate => "link-corrupt",
            ShareError::NotUtf8 => "link-not-text",
            ShareError::TooLong => "link-too-long",
        }
    }
}

/// Largest scenario text a link may unpack to (the scenario parser's own limit).
pub const MAX_SHARED_TEXT: usize = 64 * 1024;
/// Longest link (`s=` value) decoded: the link of any text up to `MAX_SHARED_TEXT`, even one
/// that does not compress (deflate then stores it, a few bytes a block; base64 adds a third).
pub const MAX_SHARED_LINK: usize = (MAX_SHARED_TEXT + 1024) / 3 * 4 + 4;

pub fn encode_scenario(text: &str) -> String {
    let packed = miniz_oxide::deflate::compress_to_vec(text.as_bytes(), 9);
    URL_SAFE_NO_PAD.encode(packed)
}

pub fn decode_scenario(s: &str) -> Result<String, ShareError> {
    if s.len() > MAX_SHARED_LINK {
        return Err(ShareError::TooLong);
    }
    let packed = URL_SAFE_NO_PAD
        .decode(s.trim_end_matches('='))
        .map_err(|_| ShareError::NotBase64)?;
    let bytes = miniz_oxide::inflate::decompress_to_vec_with_limit(&packed, MAX_SHARED_TEXT)
        .map_err(|e| match e.status {
            miniz_oxide::inflate::TINFLStatus::HasMoreOutput => ShareError::TooLong,
            _ => ShareError::NotDeflate,
        })?;
    String::from_utf8(bytes).map_err(|_| ShareError::NotUtf8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_parse_and_print() {
        let r = Route::parse("#/cpu/primes?s=abc&embed=1");
        assert_eq!(r.page, Page::Lab(LabId::Cpu));
        assert_eq!(r.demo.as_deref(), Some("primes"));
        assert_eq!(r.scenario.as_deref(), Some("abc"));
        assert!(r.embed);
        assert_eq!(r.to_hash(), "#/cpu/primes?s=abc&embed=1");
        assert_eq!(Route::parse("").page, Page::Lab(LabId::Cpu));
        assert_eq!(Route::parse("#/env").page, Page::Env);
        assert_eq!(Route::parse("#/nope/x").page, Page::Unknown("nope".into()));
        assert_eq!(Route::parse("#/cpu?embed=1").to_hash(), "#/cpu?embed=1");
        // `lang=` picks the page's language; anything else is ignored.
        let r = Route::parse("#/sync/race?s=abc&embed=1&lang=zh");
        assert_eq!(r.lang, Some(Lang::Zh));
        assert_eq!(r.to_hash(), "#/sync/race?s=abc&embed=1&lang=zh");
        assert_eq!(Route::parse("#/async?lang=en").lang, Some(Lang::En));
        assert_eq!(Route::parse("#/async?lang=fr").lang, None);
        assert_eq!(Route::parse("#/async?lang=en").to_hash(), "#/async?lang=en");
    }

    #[test]
    fn share_codec_round_trips() {
        let text = "version = 1\nlab = \"cpu\"\ndemo = \"primes\"\n# 素数\n";
        let s = encode_scenario(text);
        assert!(s
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        assert_eq!(decode_scenario(&s).as_deref(), Ok(text));
    }

    #[test]
    fn bad_links_are_errors_not_panics() {
        assert_eq!(decode_scenario("%%%"), Err(ShareError::NotBase64));
        let good = encode_scenario("lab = \"cpu\"");
        assert!(decode_scenario(&good[..good.len() / 2]).is_err());
        assert_eq!(decode_scenario("AAAA"), Err(ShareError::NotDeflate));
        let bomb = encode_scenario(&"x".repeat(MAX_SHARED_TEXT + 10));
        assert_eq!(decode_scenario(&bomb), Err(ShareError::TooLong));
    }
}
