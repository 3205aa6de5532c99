//! [`AsSchema`]: a serde `Deserializer` wrapper that reads JSON the way
//! the OpenAPI document (JSON Schema) describes it, where serde's derives
//! read it otherwise: a struct is read from a JSON object and nothing else
//! (serde also takes a sequence of its fields in order, `"lifecycle":
//! [null, null]`, which no client means and the document does not allow);
//! and an integer may be written with a zero fraction (`5.0`), which JSON
//! Schema counts as an integer and serde refuses. [`parse`](super::parse)
//! reads every request body through this wrapper, so no struct has to say
//! so itself.
//!
//! The wrapper asks the inner deserializer for a map wherever a struct (or
//! a struct variant of an enum) is asked for, hands a whole float on as an
//! integer, and wraps every nested deserializer it hands out (through
//! visitors, sequences, maps, enums and seeds), so the rules hold at any
//! depth. Everything else is passed on unchanged.

use serde::de::{DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess, VariantAccess, Visitor};
use std::fmt;

/// A deserializer, visitor, access or seed whose nested deserializers read
/// structs from maps only and whole floats as integers.
#[derive(Debug)]
pub struct AsSchema<T>(pub T);

macro_rules! forward_deserialize {
    ($($method:ident($($arg:ident: $ty:ty),*))*) => {$(
        fn $method<V: Visitor<'de>>(self, $($arg: $ty,)* visitor: V) -> Result<V::Value, D::Error> {
            self.0.$method($($arg,)* AsSchema(visitor))
        }
    )*};
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for AsSchema<D> {
    type Error = D::Error;

    forward_deserialize! {
        deserialize_any() deserialize_bool() deserialize_i8() deserialize_i16() deserialize_i32()
        deserialize_i64() deserialize_i128() deserialize_u8() deserialize_u16() deserialize_u32()
        deserialize_u64() deserialize_u128() deserialize_f32() deserialize_f64() deserialize_char()
        deserialize_str() deserialize_string() deserialize_bytes() deserialize_byte_buf()
        deserialize_option() deserialize_unit() deserialize_unit_struct(name: &'static str)
        deserialize_newtype_struct(name: &'static str) deserialize_seq() deserialize_tuple(len: usize)
        deserialize_tuple_struct(name: &'static str, len: usize) deserialize_map()
        deserialize_enum(name: &'static str, variants: &'static [&'static str])
        deserialize_identifier() deserialize_ignored_any()
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_map(AsSchema(visitor))
    }

    fn is_human_readable(&self) -> bool {
        self.0.is_human_readable()
    }
}

macro_rules! forward_visit {
    ($($method:ident($ty:ty))*) => {$(
        fn $method<E: serde::de::Error>(self, v: $ty) -> Result<V::Value, E> {
            self.0.$method(v)
        }
    )*};
}

impl<'de, V: Visitor<'de>> Visitor<'de> for AsSchema<V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.expecting(f)
    }

    forward_visit! {
        visit_bool(bool) visit_i8(i8) visit_i16(i16) visit_i32(i32) visit_i64(i64) visit_i128(i128)
        visit_u8(u8) visit_u16(u16) visit_u32(u32) visit_u64(u64) visit_u128(u128) visit_f32(f32)
        visit_char(char) visit_str(&str) visit_borrowed_str(&'de str) visit_string(String)
        visit_bytes(&[u8]) visit_borrowed_bytes(&'de [u8]) visit_byte_buf(Vec<u8>)
    }

    /// A whole number a float holds exactly (up to 2^53 either way: beyond,
    /// the float may stand for a neighbour of the number written) goes on as
    /// that integer, which a float field takes all the same; any other
    /// float as it is.
    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<V::Value, E> {
        const EXACT: f64 = 9_007_199_254_740_992.0;
        if v.fract() != 0.0 || !(-EXACT..=EXACT).contains(&v) {
            self.0.visit_f64(v)
        } else if v < 0.0 {
            self.0.visit_i64(v as i64)
        } else {
            self.0.visit_u64(v as u64)
        }
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<V::Value, E> {
        self.0.visit_none()
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<V::Value, E> {
        self.0.visit_unit()
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<V::Value, D::Error> {
        self.0.visit_some(AsSchema(deserializer))
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, deserializer: D) -> Result<V::Value, D::Error> {
        self.0.visit_newtype_struct(AsSchema(deserializer))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error> {
        self.0.visit_seq(AsSchema(seq))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        self.0.visit_map(AsSchema(map))
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<V::Value, A::Error> {
        self.0.visit_enum(AsSchema(data))
    }
}

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for AsSchema<S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<S::Value, D::Error> {
        self.0.deserialize(AsSchema(deserializer))
    }
}

impl<'de, A: SeqAccess<'de>> SeqAccess<'de> for AsSchema<A> {
    type Error = A::Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, A::Error> {
        self.0.next_element_seed(AsSchema(seed))
    }

    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for AsSchema<A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, A::Error> {
        self.0.next_key_seed(AsSchema(seed))
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, A::Error> {
        self.0.next_value_seed(AsSchema(seed))
    }

    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

impl<'de, A: EnumAccess<'de>> EnumAccess<'de> for AsSchema<A> {
    type Error = A::Error;
    type Variant = AsSchema<A::Variant>;

    fn variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<(T::Value, Self::Variant), A::Error> {
        self.0.variant_seed(AsSchema(seed)).map(|(value, variant)| (value, AsSchema(variant)))
    }
}

impl<'de, A: VariantAccess<'de>> VariantAccess<'de> for AsSchema<A> {
    type Error = A::Error;

    fn unit_variant(self) -> Result<(), A::Error> {
        self.0.unit_variant()
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, A::Error> {
        self.0.newtype_variant_seed(AsSchema(seed))
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, A::Error> {
        self.0.tuple_variant(len, AsSchema(visitor))
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, A::Error> {
        // The variant's content is read as a value of its own, from a map.
        self.0.newtype_variant_seed(StructVariant(visitor))
    }
}

/// The content of a struct variant, read from a map by `V`.
struct StructVariant<V>(V);

impl<'de, V: Visitor<'de>> DeserializeSeed<'de> for StructVariant<V> {
    type Value = V::Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<V::Value, D::Error> {
        deserializer.deserialize_map(AsSchema(self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::AsSchema;
    use serde::Deserialize;

    #[derive(Debug, PartialEq, Deserialize)]
    struct Range {
        start: Option<i64>,
        end: Option<i64>,
    }

    #[derive(Debug, PartialEq, Deserialize)]
    struct Outer {
        name: String,
        range: Option<Range>,
        #[serde(default)]
        ranges: Vec<Range>,
        #[serde(default)]
        shape: Option<Shape>,
    }

    #[derive(Debug, PartialEq, Deserialize)]
    enum Shape {
        Square(u32),
        Rect { w: u32, h: u32 },
        Pair(u32, u32),
    }

    fn read<T: for<'de> Deserialize<'de>>(text: &str) -> Result<T, serde_json::Error> {
        let mut deserializer = serde_json::Deserializer::from_str(text);
        T::deserialize(AsSchema(&mut deserializer))
    }

    #[test]
    fn objects_read_as_before() {
        let outer: Outer = read(
            r#"{"name":"a","range":{"start":1,"end":null},"ranges":[{"start":null,"end":2}],
                "shape":{"Rect":{"w":1,"h":2}}}"#,
        )
        .unwrap();
        assert_eq!(outer.range, Some(Range { start: Some(1), end: None }));
        assert_eq!(outer.ranges, vec![Range { start: None, end: Some(2) }]);
        assert_eq!(outer.shape, Some(Shape::Rect { w: 1, h: 2 }));
        let outer: Outer = read(r#"{"name":"a","range":null,"shape":{"Pair":[1,2]}}"#).unwrap();
        assert_eq!((outer.range, outer.shape), (None, Some(Shape::Pair(1, 2))));
        let outer: Outer = read(r#"{"name":"a","range":null,"shape":{"Square":3}}"#).unwrap();
        assert_eq!(outer.shape, Some(Shape::Square(3)));
        // Plain serde_json takes all of these as well.
        let plain: Outer = serde_json::from_str(r#"{"name":"a","range":[1,2]}"#).unwrap();
        assert_eq!(plain.range, Some(Range { start: Some(1), end: Some(2) }));
    }

    #[test]
    fn whole_floats_are_integers_and_floats_stay_floats() {
        #[derive(Debug, PartialEq, Deserialize)]
        struct Numbers {
            count: u32,
            offset: i64,
            ratio: f64,
        }
        let numbers: Numbers = read(r#"{"count": 25.0, "offset": -3.0, "ratio": 2.0}"#).unwrap();
        assert_eq!(numbers, Numbers { count: 25, offset: -3, ratio: 2.0 });
        let numbers: Numbers = read(r#"{"count": 1e2, "offset": 0, "ratio": 0.5}"#).unwrap();
        assert_eq!(numbers, Numbers { count: 100, offset: 0, ratio: 0.5 });
        for text in [
            r#"{"count": 2.5, "offset": 0, "ratio": 1}"#,
            r#"{"count": 1e20, "offset": 0, "ratio": 1}"#,
            r#"{"count": -1.0, "offset": 0, "ratio": 1}"#,
            r#"{"count": 1, "offset": 1e19, "ratio": 1}"#,
            // Read as a float, this rounds to i64::MIN.
            r#"{"count": 1, "offset": -9223372036854775809, "ratio": 1}"#,
        ] {
            assert!(read::<Numbers>(text).is_err(), "{text}");
        }
        // Plain serde_json refuses a whole float for an integer.
        assert!(serde_json::from_str::<Numbers>(r#"{"count": 25.0, "offset": 0, "ratio": 1}"#).is_err());
    }

    #[test]
    fn a_struct_as_a_sequence_is_refused_at_any_depth() {
        for text in [
            r#"["a", null]"#,
            r#"{"name":"a","range":[null,null]}"#,
            r#"{"name":"a","range":null,"ranges":[[1,2]]}"#,
            r#"{"name":"a","range":null,"shape":{"Rect":[1,2]}}"#,
        ] {
            let error = read::<Outer>(text).unwrap_err();
            assert!(error.to_string().contains("invalid type: sequence"), "{text}: {error}");
        }
    }
}
