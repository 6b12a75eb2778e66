//! Checks on the shape of a plan or scenario file before it is read field by field:
//! every table of the format must be a table. Serde reads a struct from a list by
//! position (`costs = ["10", "20", "30"]` would set the fees in field order), so a list
//! where a table belongs is refused here, naming the field. And JSON text is read with
//! duplicate keys refused (the last would silently win).

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

/// A field path and what to fix.
pub(crate) type ShapeError = (String, String);

fn table<'a>(v: &'a Value, path: &str) -> Result<Option<&'a Map<String, Value>>, ShapeError> {
    match v {
        Value::Object(m) => Ok(Some(m)),
        Value::Array(_) => Err((
            path.to_string(),
            "is a list; write it as a table of named fields (a [section] in TOML, an object in JSON)"
                .to_string(),
        )),
        // Anything else is left to the reader, which names the type it expected.
        _ => Ok(None),
    }
}

fn top(v: &Value, what: &str) -> Result<(), ShapeError> {
    match v {
        Value::Object(_) => Ok(()),
        _ => Err((
            "(top level)".to_string(),
            format!("a {what} is a table of named fields, not a list or a single value"),
        )),
    }
}

fn tables(m: &Map<String, Value>, keys: &[&str], prefix: &str) -> Result<(), ShapeError> {
    for k in keys {
        if let Some(v) = m.get(*k) {
            table(v, &format!("{prefix}{k}"))?;
        }
    }
    Ok(())
}

fn list_of_tables<'a>(
    m: &'a Map<String, Value>,
    key: &str,
    prefix: &str,
) -> Result<Vec<&'a Map<String, Value>>, ShapeError> {
    let mut out = vec![];
    if let Some(Value::Array(items)) = m.get(key) {
        for (i, item) in items.iter().enumerate() {
            if let Some(t) = table(item, &format!("{prefix}{key}[{i}]"))? {
                out.push(t);
            }
        }
    }
    Ok(out)
}

/// The tables of a plan file are tables.
pub(crate) fn check_plan(v: &Value) -> Result<(), ShapeError> {
    top(v, "plan")?;
    let m = v.as_object().expect("checked");
    tables(
        m,
        &[
            "volume",
            "active",
            "cap",
            "placement",
            "costs",
            "paid_as",
            "pv_compression",
            "rounding",
        ],
        "",
    )?;
    list_of_tables(m, "ranks", "")?;
    for (i, b) in list_of_tables(m, "bonus", "")?.into_iter().enumerate() {
        list_of_tables(b, "tiers", &format!("bonus[{i}]."))?;
    }
    Ok(())
}

/// The tables of a scenario file are tables.
pub(crate) fn check_scenario(v: &Value) -> Result<(), ShapeError> {
    top(v, "scenario")?;
    let m = v.as_object().expect("checked");
    tables(
        m,
        &[
            "market",
            "recruitment",
            "attrition",
            "purchases",
            "customers",
            "expenses",
            "parties",
        ],
        "",
    )?;
    if let Some(Value::Object(r)) = m.get("recruitment") {
        tables(r, &["prospecting"], "recruitment.")?;
    }
    if let Some(Value::Object(a)) = m.get("attrition") {
        tables(a, &["weibull"], "attrition.")?;
    }
    list_of_tables(m, "events", "")?;
    Ok(())
}

/// A JSON value read with duplicate keys refused.
struct Strict(Value);

impl<'de> Deserialize<'de> for Strict {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(StrictVisitor).map(Strict)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        Strict::deserialize(d).map(|s| s.0)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = vec![];
        while let Some(Strict(v)) = seq.next_element()? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(k) = map.next_key::<String>()? {
            if out.contains_key(&k) {
                return Err(serde::de::Error::custom(format!(
                    "the key {k:?} appears twice in one object; keep one"
                )));
            }
            let Strict(v) = map.next_value()?;
            out.insert(k, v);
        }
        Ok(Value::Object(out))
    }
}

/// Read JSON text, refusing duplicate keys.
pub(crate) fn json_strict(text: &str) -> Result<Value, serde_json::Error> {
    serde_json::from_str::<Strict>(text).map(|s| s.0)
}
