//! [`ObjectsOnly`]: a serde `Deserializer` wrapper under which a struct is
//! read from a JSON object and nothing else. serde's derived `Deserialize`
//! also accepts a struct as a sequence of its fields in order
//! (`"lifecycle": [null, null]`), which no client means and the OpenAPI
//! document does not allow; [`parse`](super::parse) reads every request
//! body through this wrapper, so no struct has to say so itself.
//!
//! The wrapper asks the inner deserializer for a map wherever a struct (or
//! a struct variant of an enum) is asked for, and wraps every nested
//! deserializer it hands out (through visitors, sequences, maps, enums and
//! seeds), so the rule holds at any depth. Everything else is passed on
//! unchanged.

use serde::de::{DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess, VariantAccess, Visitor};
use std::fmt;

/// A deserializer, visitor, access or seed whose nested deserializers read
/// structs from maps only.
#[derive(Debug)]
pub struct ObjectsOnly<T>(pub T);

macro_rules! forward_deserialize {
    ($($method:ident($($arg:ident: $ty:ty),*))*) => {$(
        fn $method<V: Visitor<'de>>(self, $($arg: $ty,)* visitor: V) -> Result<V::Value, D::Error> {
            self.0.$method($($arg,)* ObjectsOnly(visitor))
        }
    )*};
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for ObjectsOnly<D> {
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
        self.0.deserialize_map(ObjectsOnly(visitor))
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

impl<'de, V: Visitor<'de>> Visitor<'de> for ObjectsOnly<V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.expecting(f)
    }

    forward_visit! {
        visit_bool(bool) visit_i8(i8) visit_i16(i16) visit_i32(i32) visit_i64(i64) visit_i128(i128)
        visit_u8(u8) visit_u16(u16) visit_u32(u32) visit_u64(u64) visit_u128(u128) visit_f32(f32)
        visit_f64(f64) visit_char(char) visit_str(&str) visit_borrowed_str(&'de str) visit_string(String)
        visit_bytes(&[u8]) visit_borrowed_bytes(&'de [u8]) visit_byte_buf(Vec<u8>)
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<V::Value, E> {
        self.0.visit_none()
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<V::Value, E> {
        self.0.visit_unit()
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<V::Value, D::Error> {
        self.0.visit_some(ObjectsOnly(deserializer))
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, deserializer: D) -> Result<V::Value, D::Error> {
        self.0.visit_newtype_struct(ObjectsOnly(deserializer))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error> {
        self.0.visit_seq(ObjectsOnly(seq))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        self.0.visit_map(ObjectsOnly(map))
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<V::Value, A::Error> {
        self.0.visit_enum(ObjectsOnly(data))
    }
}

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for ObjectsOnly<S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<S::Value, D::Error> {
        self.0.deserialize(ObjectsOnly(deserializer))
    }
}

impl<'de, A: SeqAccess<'de>> SeqAccess<'de> for ObjectsOnly<A> {
    type Error = A::Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, A::Error> {
        self.0.next_element_seed(ObjectsOnly(seed))
    }

    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for ObjectsOnly<A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, A::Error> {
        self.0.next_key_seed(ObjectsOnly(seed))
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, A::Error> {
        self.0.next_value_seed(ObjectsOnly(seed))
    }

    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

impl<'de, A: EnumAccess<'de>> EnumAccess<'de> for ObjectsOnly<A> {
    type Error = A::Error;
    type Variant = ObjectsOnly<A::Variant>;

    fn variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<(T::Value, Self::Variant), A::Error> {
        self.0.variant_seed(ObjectsOnly(seed)).map(|(value, variant)| (value, ObjectsOnly(variant)))
    }
}

impl<'de, A: VariantAccess<'de>> VariantAccess<'de> for ObjectsOnly<A> {
    type Error = A::Error;

    fn unit_variant(self) -> Result<(), A::Error> {
        self.0.unit_variant()
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, A::Error> {
        self.0.newtype_variant_seed(ObjectsOnly(seed))
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, A::Error> {
        self.0.tuple_variant(len, ObjectsOnly(visitor))
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
        deserializer.deserialize_map(ObjectsOnly(self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::ObjectsOnly;
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
        T::deserialize(ObjectsOnly(&mut deserializer))
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
