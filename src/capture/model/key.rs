//! Interned attribute keys: one `Key` (a `Copy` pointer to a process-wide, never-freed string)
//! per distinct key text. Real traffic has a few hundred distinct keys and millions of
//! occurrences, so a key costs one hash lookup instead of an allocation, and comparing two
//! keys compares two pointers.
//!
//! The interner is bounded ([`MAX_KEYS`] keys, [`MAX_KEY_BYTES`] bytes): a hostile capture with a
//! fresh key on every span gets a clear error instead of unbounded memory. Each thread keeps a
//! small cache in front of the shared table, so the decode thread's lookups take no lock.

use std::cell::RefCell;
use std::fmt;
use std::sync::Mutex;

use rustc_hash::{FxHashMap, FxHashSet};

/// Distinct keys the process will intern.
pub const MAX_KEYS: usize = 1 << 20;
/// Bytes of distinct key text the process will intern.
pub const MAX_KEY_BYTES: usize = 64 << 20;

/// An interned attribute key.
#[derive(Clone, Copy)]
pub struct Key(&'static str);

struct Table {
    keys: FxHashSet<&'static str>,
    bytes: usize,
}

static TABLE: Mutex<Option<Table>> = Mutex::new(None);

thread_local! {
    static CACHE: RefCell<FxHashMap<&'static str, Key>> = RefCell::new(FxHashMap::default());
}

/// The interner is full: the input has more distinct attribute keys than any real capture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooManyKeys;

impl fmt::Display for TooManyKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "more than {MAX_KEYS} distinct attribute keys (or {} MiB of key text): otelcheck refuses \
             input that invents a new key on every span",
            MAX_KEY_BYTES >> 20
        )
    }
}

impl Key {
    /// The key for `text`, interning it on first sight.
    pub fn new(text: &str) -> Result<Key, TooManyKeys> {
        if let Some(k) = CACHE.with(|c| c.borrow().get(text).copied()) {
            return Ok(k);
        }
        let key = Self::intern_shared(text)?;
        CACHE.with(|c| c.borrow_mut().insert(key.0, key));
        Ok(key)
    }

    /// For keys from the program itself (config, OTTL, translation tables): those are few and
    /// bounded by the config's size, so they are interned even past the limit.
    pub fn of(text: &str) -> Key {
        Self::new(text).unwrap_or_else(|_| Key(Box::leak(text.to_owned().into_boxed_str())))
    }

    /// The key for `text` if some input or config already uses it (no interning).
    pub fn existing(text: &str) -> Option<Key> {
        if let Some(k) = CACHE.with(|c| c.borrow().get(text).copied()) {
            return Some(k);
        }
        let table = TABLE
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        table.as_ref()?.keys.get(text).map(|s| Key(s))
    }

    fn intern_shared(text: &str) -> Result<Key, TooManyKeys> {
        let mut guard = TABLE
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let table = guard.get_or_insert_with(|| Table {
            keys: FxHashSet::default(),
            bytes: 0,
        });
        if let Some(s) = table.keys.get(text) {
            return Ok(Key(s));
        }
        if table.keys.len() >= MAX_KEYS || table.bytes + text.len() > MAX_KEY_BYTES {
            return Err(TooManyKeys);
        }
        let leaked: &'static str = Box::leak(text.to_owned().into_boxed_str());
        table.keys.insert(leaked);
        table.bytes += text.len();
        Ok(Key(leaked))
    }

    pub fn as_str(self) -> &'static str {
        self.0
    }

    /// The key's identity as a machine word (equal keys, equal ids), for sorting and hashing.
    pub fn id(self) -> usize {
        self.0.as_ptr() as usize
    }
}

impl PartialEq for Key {
    fn eq(&self, other: &Self) -> bool {
        // One interned string per distinct text: equal keys share the pointer.
        std::ptr::eq(self.0, other.0)
    }
}

impl Eq for Key {}

impl std::hash::Hash for Key {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        (self.0.as_ptr() as usize).hash(state);
    }
}

impl PartialEq<str> for Key {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl std::ops::Deref for Key {
    type Target = str;
    fn deref(&self) -> &str {
        self.0
    }
}

impl AsRef<str> for Key {
    fn as_ref(&self) -> &str {
        self.0
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.0, f)
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl From<&str> for Key {
    fn from(s: &str) -> Key {
        Key::of(s)
    }
}

impl From<String> for Key {
    fn from(s: String) -> Key {
        Key::of(&s)
    }
}

#[cfg(test)]
mod tests {
    use super::Key;

    #[test]
    fn equal_text_is_one_key_across_threads() {
        let a = Key::of("http.route");
        let b = std::thread::spawn(|| Key::of("http.route")).join().unwrap();
        assert_eq!(a, b);
        assert!(std::ptr::eq(a.as_str(), b.as_str()));
        assert_ne!(a, Key::of("http.route2"));
        assert_eq!(Key::existing("http.route"), Some(a));
        assert_eq!(Key::existing("never.interned.anywhere"), None);
    }
}
