//! How the object model is written in plan files: addresses and removals as the text
//! users write (`shop.orders`, `shop.*`), kinds as their nouns (`table`), an object list
//! as the structured DbList JSON it stands for (never JSON text in a string), and a diff
//! as tagged records. Reading back applies the same rules as reading a live list: a
//! plan file cannot smuggle in what a DbList could not say.

use serde::de::{self, Deserializer};
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::diff::{AttrChange, Change, ObjectChange, ObjectDiff};
use super::normalize::Suppressed;
use super::{Address, Kind, ObjectTree, Removal};

impl Serialize for Address {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Address {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Address::parse(&text).map_err(de::Error::custom)
    }
}

impl Serialize for Removal {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Removal {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Removal::parse(&text).map_err(de::Error::custom)
    }
}

impl Serialize for Kind {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.noun())
    }
}

impl<'de> Deserialize<'de> for Kind {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let noun = String::deserialize(d)?;
        Kind::from_noun(&noun)
            .ok_or_else(|| de::Error::custom(format!("{noun:?} is not a kind of object")))
    }
}

impl Serialize for ObjectTree {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_value().serialize(s)
    }
}

impl<'de> Deserialize<'de> for ObjectTree {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(d)?;
        super::parse::from_owned_value(value).map_err(de::Error::custom)
    }
}

/// An attribute's change as written: `{"name": "filter", "before": "a", "after": "b"}`.
#[derive(Serialize, Deserialize)]
struct AttrChangeRecord {
    name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    before: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    after: Option<Value>,
}

impl Serialize for AttrChange {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        AttrChangeRecord {
            name: self.name.clone(),
            before: self.before.clone(),
            after: self.after.clone(),
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for AttrChange {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let r = AttrChangeRecord::deserialize(d)?;
        Ok(AttrChange {
            name: r.name,
            before: r.before,
            after: r.after,
        })
    }
}

/// An object's change as written, tagged by what happens to it.
#[derive(Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
enum ChangeRecord {
    Added {
        address: Address,
        kind: Kind,
        objects: usize,
    },
    Removed {
        address: Address,
        kind: Kind,
        objects: usize,
    },
    Narrowed {
        address: Address,
        kind: Kind,
        listed: usize,
    },
    Unlisted {
        address: Address,
        kind: Kind,
        objects: usize,
        settings: Vec<String>,
    },
    Changed {
        address: Address,
        kind: Kind,
        attrs: Vec<AttrChange>,
    },
}

impl Serialize for ObjectChange {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (address, kind) = (self.address.clone(), self.kind);
        match &self.change {
            Change::Added { objects } => ChangeRecord::Added {
                address,
                kind,
                objects: *objects,
            },
            Change::Removed { objects } => ChangeRecord::Removed {
                address,
                kind,
                objects: *objects,
            },
            Change::Narrowed { listed } => ChangeRecord::Narrowed {
                address,
                kind,
                listed: *listed,
            },
            Change::Unlisted { objects, settings } => ChangeRecord::Unlisted {
                address,
                kind,
                objects: *objects,
                settings: settings.clone(),
            },
            Change::Changed { attrs } => ChangeRecord::Changed {
                address,
                kind,
                attrs: attrs.clone(),
            },
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for ObjectChange {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let (address, kind, change) = match ChangeRecord::deserialize(d)? {
            ChangeRecord::Added {
                address,
                kind,
                objects,
            } => (address, kind, Change::Added { objects }),
            ChangeRecord::Removed {
                address,
                kind,
                objects,
            } => (address, kind, Change::Removed { objects }),
            ChangeRecord::Narrowed {
                address,
                kind,
                listed,
            } => (address, kind, Change::Narrowed { listed }),
            ChangeRecord::Unlisted {
                address,
                kind,
                objects,
                settings,
            } => (address, kind, Change::Unlisted { objects, settings }),
            ChangeRecord::Changed {
                address,
                kind,
                attrs,
            } => (address, kind, Change::Changed { attrs }),
        };
        Ok(ObjectChange {
            address,
            kind,
            change,
        })
    }
}

/// A diff as written: its changes, and what normalization hid.
#[derive(Serialize, Deserialize)]
struct DiffRecord {
    changes: Vec<ObjectChange>,
    suppressed: Suppressed,
}

impl Serialize for ObjectDiff {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        DiffRecord {
            changes: self.changes.clone(),
            suppressed: self.suppressed,
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for ObjectDiff {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let r = DiffRecord::deserialize(d)?;
        Ok(ObjectDiff {
            changes: r.changes,
            suppressed: r.suppressed,
        })
    }
}

/// [`Suppressed`] as written (it derives `Serialize` where it is defined).
#[derive(Deserialize)]
struct SuppressedRecord {
    state_markers: usize,
    boolean_spellings: usize,
    op_lists: usize,
    implicit_names: usize,
    key_order: usize,
}

impl<'de> Deserialize<'de> for Suppressed {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let r = SuppressedRecord::deserialize(d)?;
        Ok(Suppressed {
            state_markers: r.state_markers,
            boolean_spellings: r.boolean_spellings,
            op_lists: r.op_lists,
            implicit_names: r.implicit_names,
            key_order: r.key_order,
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::objects::diff::diff;

    #[test]
    fn trees_and_diffs_round_trip_as_structured_json() {
        let live = ObjectTree::from_value(&json!({"shop": {"name": "shop", "all": true, "Table": {
            "orders": {"name": "orders", "all": true, "filter": "id > 1"}}}}))
        .unwrap();
        let sent =
            ObjectTree::from_value(&json!({"shop": {"name": "shop", "all": false, "Table": {
            "payments": {"name": "payments", "all": true}}}}))
            .unwrap();
        let value = serde_json::to_value(&sent).unwrap();
        assert!(value.is_object(), "structured, not text");
        assert_eq!(serde_json::from_value::<ObjectTree>(value).unwrap(), sent);
        let d = diff(&sent, &live);
        let text = serde_json::to_string(&d).unwrap();
        assert_eq!(serde_json::from_str::<ObjectDiff>(&text).unwrap(), d);
        assert!(
            text.contains(r#""change":"narrowed","address":"shop","kind":"database""#),
            "{text}"
        );
        for removal in ["shop.orders", "shop.*", r#""my.db".*"#] {
            let r = Removal::parse(removal).unwrap();
            let back: Removal = serde_json::from_value(serde_json::to_value(&r).unwrap()).unwrap();
            assert_eq!(back, r);
        }
    }

    #[test]
    fn a_written_tree_is_read_by_the_rules_of_a_live_one() {
        assert!(serde_json::from_value::<ObjectTree>(json!({"shop": {"Table": ["a"]}})).is_err());
        assert!(serde_json::from_value::<Address>(json!("a..b")).is_err());
        assert!(serde_json::from_value::<Kind>(json!("galaxy")).is_err());
    }
}
