//! One spelling per word: an enum's serde names, read back as static
//! strings and parsed from them.

use serde::de::IntoDeserializer;
use serde::de::value::{Error as ValueError, StrDeserializer};
use serde::{Deserialize, Serialize};
use std::fmt;

/// An enum of unit variants whose serde names are its one spelling.
///
/// Implemented by every enum of this crate; its names come from the
/// enum's `#[serde(rename_all = ...)]` and nowhere else.
pub trait Word: Serialize + for<'de> Deserialize<'de> + Copy + fmt::Debug + 'static {
    /// Every variant, in declaration order.
    const ALL: &'static [Self];

    /// What the word names, for messages ("execution kind").
    const WHAT: &'static str;

    /// The variant's name as serde writes it (`MAP_REDUCE`).
    fn name(self) -> &'static str {
        match serde_variant::to_variant_name(&self) {
            Ok(name) => name,
            // Every `Word` is an enum of unit variants, which always has a
            // name; the tests of each enum cover every variant.
            Err(_) => unreachable!("{self:?} is not a unit variant"),
        }
    }

    /// The variant of a name as serde writes it; exact match.
    fn from_name(name: &str) -> Option<Self> {
        let de: StrDeserializer<'_, ValueError> = name.into_deserializer();
        Self::deserialize(de).ok()
    }

    /// The variant of a name in any case, `-` or `_` between words
    /// (`map-reduce`, `Map_Reduce`), as flags and hand-typed input spell
    /// it; the error lists what is accepted.
    fn parse_loose(input: &str) -> Result<Self, UnknownWord> {
        let loose = |name: &str| name.trim().to_ascii_lowercase().replace('_', "-");
        let wanted = loose(input);
        Self::ALL.iter().copied().find(|word| loose(word.name()) == wanted).ok_or_else(|| UnknownWord {
            what: Self::WHAT,
            input: input.to_string(),
            expected: Self::ALL.iter().map(|w| w.flag()).collect(),
        })
    }

    /// The name as a command-line flag value: lower case, `-` between
    /// words (`map-reduce`).
    fn flag(self) -> String {
        self.name().to_ascii_lowercase().replace('_', "-")
    }
}

/// A name that is not one of a word's variants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownWord {
    what: &'static str,
    input: String,
    expected: Vec<String>,
}

impl fmt::Display for UnknownWord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (last, rest) = self.expected.split_last().map_or(("", &[][..]), |(l, r)| (l.as_str(), r));
        let listed = if rest.is_empty() { last.to_string() } else { format!("{} or {last}", rest.join(", ")) };
        write!(f, "unknown {} `{}`: expected {listed} (in any case, `_` or `-` between words)", self.what, self.input)
    }
}

impl std::error::Error for UnknownWord {}

/// Implements [`Word`], `Display` (the name) and `FromStr` (loose) for
/// an enum of this crate.
macro_rules! word {
    ($ty:ty, $what:literal, [$($variant:ident),+ $(,)?]) => {
        // Listing every variant is checked: a variant left out of the
        // list makes this match fail to compile.
        const _: fn($ty) = |word| match word {
            $(<$ty>::$variant => {}),+
        };

        impl $crate::word::Word for $ty {
            const ALL: &'static [Self] = &[$(Self::$variant),+];
            const WHAT: &'static str = $what;
        }

        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str($crate::word::Word::name(*self))
            }
        }

        impl std::str::FromStr for $ty {
            type Err = $crate::word::UnknownWord;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                <Self as $crate::word::Word>::parse_loose(s)
            }
        }
    };
}
pub(crate) use word;

#[cfg(test)]
pub(crate) mod tests {
    use super::Word;

    /// Every variant's name is its JSON string, parses back exactly and
    /// loosely, and names are distinct.
    pub(crate) fn round_trips<W: Word + PartialEq>() {
        let mut seen = std::collections::HashSet::new();
        for &word in W::ALL {
            let name = word.name();
            assert!(seen.insert(name), "{name} twice");
            assert_eq!(serde_json::to_string(&word).unwrap(), format!("\"{name}\""));
            assert_eq!(W::from_name(name), Some(word));
            assert_eq!(W::parse_loose(&word.flag()).unwrap(), word);
            assert_eq!(W::parse_loose(&name.to_ascii_lowercase()).unwrap(), word);
        }
        assert_eq!(W::from_name("no-such-word"), None);
        let error = W::parse_loose("no-such-word").unwrap_err().to_string();
        assert!(error.contains(&W::ALL[0].flag()), "{error}");
    }
}
