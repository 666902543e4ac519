//! Building the argument tree the way PHP builds `$_POST`, in time linear in the body.

use super::{Args, MAX_DEPTH};
use crate::error::Failure;
use serde_json::Value;
use std::collections::HashMap;

/// Builds the argument tree the way PHP builds `$_POST`: bracket segments become
/// nested maps, `[]` appends, and maps whose keys are exactly 0..n become arrays.
/// Each map remembers where its keys are and its largest index, so a body costs
/// time in proportion to its length, however long its lists.
#[derive(Default)]
pub(super) struct Builder {
    root: Branch,
}

#[derive(Default)]
struct Branch {
    entries: Vec<(String, Node)>,
    places: HashMap<String, usize>,
    /// The largest whole-number key so far: `[]` appends after it, as in PHP.
    largest_index: Option<i64>,
}

enum Node {
    Leaf(Value),
    Branch(Branch),
}

impl Branch {
    /// The node under `key`, a new empty leaf if there is none.
    fn slot(&mut self, key: String) -> &mut Node {
        let place = match self.places.get(&key) {
            Some(&place) => place,
            None => {
                self.places.insert(key.clone(), self.entries.len());
                self.entries.push((key, Node::Leaf(Value::Null)));
                self.entries.len() - 1
            }
        };
        &mut self.entries[place].1
    }

    /// The node under a bracket segment: `""` appends after the largest index.
    fn segment(&mut self, segment: &str) -> &mut Node {
        let key = match segment {
            "" => self.largest_index.map_or(0, |largest| largest + 1).to_string(),
            key => key.to_string(),
        };
        if let Ok(index) = key.parse::<i64>() {
            self.largest_index = Some(self.largest_index.map_or(index, |largest| largest.max(index)));
        }
        self.slot(key)
    }

    fn into_value(self) -> Value {
        let count = self.entries.len();
        let sequential = count > 0 && (0..count).all(|i| self.places.contains_key(&i.to_string()));
        if sequential {
            let mut items: Vec<Value> = vec![Value::Null; count];
            for (key, node) in self.entries {
                let index: usize = key.parse().expect("the keys of a sequential map are its indexes");
                items[index] = node.into_value();
            }
            Value::Array(items)
        } else {
            Value::Object(self.entries.into_iter().map(|(key, node)| (key, node.into_value())).collect())
        }
    }
}

impl Node {
    fn into_value(self) -> Value {
        match self {
            Node::Leaf(value) => value,
            Node::Branch(branch) => branch.into_value(),
        }
    }
}

impl Builder {
    pub(super) fn insert(&mut self, key: &str, value: Value) -> Result<(), Failure> {
        let (base, path) = split_key(key);
        if path.len() > MAX_DEPTH {
            return Err(Failure::MalformedBody(format!("argument '{base}' is nested too deeply")));
        }
        // A top-level name is taken as written, never as an index.
        let mut slot = self.root.slot(base.to_string());
        for segment in path {
            if !matches!(slot, Node::Branch(_)) {
                *slot = Node::Branch(Branch::default());
            }
            let Node::Branch(branch) = slot else { unreachable!("made a branch just above") };
            slot = branch.segment(segment);
        }
        *slot = Node::Leaf(value);
        Ok(())
    }

    pub(super) fn finish(self) -> Args {
        let map = self.root.entries.into_iter().map(|(key, node)| (key, node.into_value())).collect();
        Args::from_map(map)
    }
}

/// `a[b][]` -> ("a", ["b", ""]); a key without a well-formed bracket part is taken whole.
fn split_key(key: &str) -> (&str, Vec<&str>) {
    let Some(open) = key.find('[') else { return (key, vec![]) };
    if open == 0 {
        return (key, vec![]);
    }
    let (base, mut rest) = key.split_at(open);
    let mut path = Vec::new();
    while let Some(inner) = rest.strip_prefix('[') {
        let Some(close) = inner.find(']') else { break };
        path.push(&inner[..close]);
        rest = &inner[close + 1..];
    }
    (base, path)
}
