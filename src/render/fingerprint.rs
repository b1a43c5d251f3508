//! Content hashes of template values, for the page cache: two contexts
//! with the same hash render to the same page.

use std::hash::{Hash, Hasher};

use tera::value::ValueKind;
use tera::{Context, Value};
use xxhash_rust::xxh3::Xxh3Default;

/// Feeds `value` into `hasher`. Tera's maps are hash maps, whose order
/// changes from one run to the next, so a map's entries are hashed one by
/// one and summed: the same map gives the same hash in any order.
pub(crate) fn value(hasher: &mut Xxh3Default, value: &Value) {
    let kind = value.kind();
    kind.hash(hasher);
    if let Some(map) = value.as_map() {
        let mut sum = 0u128;
        for (key, item) in map {
            let mut entry = Xxh3Default::new();
            key.hash(&mut entry);
            self::value(&mut entry, item);
            sum = sum.wrapping_add(entry.digest128());
        }
        hasher.write_usize(map.len());
        hasher.write_u128(sum);
    } else if let Some(items) = value.as_array() {
        hasher.write_usize(items.len());
        for item in items {
            self::value(hasher, item);
        }
    } else if let Some(text) = value.as_str() {
        // Safe strings are printed as they are, others escaped.
        hasher.write_u8(u8::from(value.is_safe()));
        hasher.write_usize(text.len());
        hasher.update(text.as_bytes());
    } else if let Some(bytes) = value.as_bytes() {
        hasher.write_usize(bytes.len());
        hasher.update(bytes);
    } else {
        match kind {
            ValueKind::F64 => hasher.write_u64(value.as_f64().unwrap_or_default().to_bits()),
            ValueKind::U64 | ValueKind::I64 | ValueKind::U128 | ValueKind::I128 => match value.as_i128() {
                Some(number) => hasher.write_i128(number),
                None => hasher.write_u128(value.as_u128().unwrap_or_default()),
            },
            ValueKind::Bool => hasher.write_u8(u8::from(value.as_bool().unwrap_or_default())),
            // None, undefined, or a kind Tera adds later: its printed form.
            _ => hasher.update(value.to_string().as_bytes()),
        }
    }
}

/// Feeds the named values of a context into `hasher`, in order of name.
pub(crate) fn context(hasher: &mut Xxh3Default, context: &Context, names: &[&str]) {
    for name in names {
        hasher.update(name.as_bytes());
        match context.get(name) {
            Some(item) => value(hasher, item),
            None => hasher.write_u8(0xff),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hash(v: &Value) -> u128 {
        let mut hasher = Xxh3Default::new();
        value(&mut hasher, v);
        hasher.digest128()
    }

    #[test]
    fn equal_values_hash_alike_and_different_ones_do_not() {
        let a = Value::from_serializable(&serde_json::json!({"title": "Mug", "price": 12.5, "tags": ["a", "b"]}));
        let b = Value::from_serializable(&serde_json::json!({"tags": ["a", "b"], "price": 12.5, "title": "Mug"}));
        assert_eq!(hash(&a), hash(&b));
        for other in [
            serde_json::json!({"title": "Mug", "price": 12.6, "tags": ["a", "b"]}),
            serde_json::json!({"title": "Mug", "price": 12.5, "tags": ["b", "a"]}),
            serde_json::json!({"title": "Mugs", "price": 12.5, "tags": ["a", "b"]}),
            serde_json::json!({"title": "Mug", "price": "12.5", "tags": ["a", "b"]}),
            serde_json::json!({"title": "Mug", "price": 12.5, "tags": ["a", "b"], "x": null}),
            serde_json::json!({"title": "Mug", "price": 12.5, "tags": [["a", "b"]]}),
        ] {
            assert_ne!(hash(&a), hash(&Value::from_serializable(&other)), "{other}");
        }
        // Text marked safe prints differently from text that is escaped.
        assert_ne!(hash(&Value::normal_string("<b>")), hash(&Value::safe_string("<b>")));
        // Moving text from one value to the next is a change.
        let split = |x: &str, y: &str| hash(&Value::from_serializable(&[x, y]));
        assert_ne!(split("ab", "c"), split("a", "bc"));
    }
}
