//! Inputs for Roster's fuzz tests. cargo-fuzz needs a nightly toolchain, which this project
//! does not use; instead each parser that reads outside input is driven by proptest with
//! these strategies: arbitrary bytes, and mutations (byte flips, insertions, deletions,
//! splices, truncations) of a saved corpus of real inputs in `fuzz/corpus/<target>/`. A test
//! runs `cases()` inputs: a few hundred in the test script (seconds), as many as
//! `ROSTER_FUZZ_CASES` says for a longer run. An input that panics is shrunk by proptest and
//! belongs in the corpus and in a regression test.

use std::path::PathBuf;

use proptest::prelude::*;

/// How many inputs a fuzz test tries: `ROSTER_FUZZ_CASES`, else `default`.
pub fn cases(default: u32) -> u32 {
    std::env::var("ROSTER_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// The saved corpus of `target` (every file in `fuzz/corpus/<target>/`).
pub fn corpus(target: &str) -> Vec<Vec<u8>> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus").join(target);
    let mut files: Vec<PathBuf> =
        std::fs::read_dir(&dir).map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect()).unwrap_or_default();
    files.sort();
    files.iter().filter_map(|f| std::fs::read(f).ok()).collect()
}

/// One edit of a mutation.
#[derive(Debug, Clone)]
enum Edit {
    Flip(usize, u8),
    Insert(usize, Vec<u8>),
    Delete(usize, usize),
    Truncate(usize),
    Repeat(usize, usize, u8),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(p, b)| Edit::Flip(p, b)),
        (
            any::<usize>(),
            prop_oneof![
                proptest::collection::vec(any::<u8>(), 1..8),
                // Tokens parsers care about.
                proptest::sample::select(vec![
                    b"\"".to_vec(),
                    b"{".to_vec(),
                    b"}".to_vec(),
                    b"[".to_vec(),
                    b"]".to_vec(),
                    b",".to_vec(),
                    b":".to_vec(),
                    b"\n".to_vec(),
                    b"\\".to_vec(),
                    b"eq".to_vec(),
                    b" and ".to_vec(),
                    b"=".to_vec(),
                    b"18446744073709551615".to_vec(),
                    b"-9223372036854775808".to_vec(),
                    b"1e300".to_vec(),
                    b"null".to_vec(),
                    "\u{FF1D}".as_bytes().to_vec(),
                    b"\xff\xfe".to_vec(),
                ]),
            ]
        )
            .prop_map(|(p, b)| Edit::Insert(p, b)),
        (any::<usize>(), 1usize..16).prop_map(|(p, n)| Edit::Delete(p, n)),
        any::<usize>().prop_map(Edit::Truncate),
        (any::<usize>(), 1usize..4096, any::<u8>()).prop_map(|(p, n, b)| Edit::Repeat(p, n, b)),
    ]
}

fn apply(mut v: Vec<u8>, edits: &[Edit]) -> Vec<u8> {
    for e in edits {
        let at = |p: usize, len: usize| if len == 0 { 0 } else { p % (len + 1) };
        match e {
            Edit::Flip(p, b) if !v.is_empty() => {
                let i = p % v.len();
                v[i] ^= b;
            }
            Edit::Flip(..) => {}
            Edit::Insert(p, bytes) => {
                let i = at(*p, v.len());
                v.splice(i..i, bytes.iter().copied());
            }
            Edit::Delete(p, n) => {
                let i = at(*p, v.len());
                let end = (i + n).min(v.len());
                v.drain(i..end);
            }
            Edit::Truncate(p) => {
                let i = at(*p, v.len());
                v.truncate(i);
            }
            Edit::Repeat(p, n, b) => {
                let i = at(*p, v.len());
                v.splice(i..i, std::iter::repeat_n(*b, *n));
            }
        }
    }
    v
}

/// Arbitrary bytes, or a corpus entry with up to eight edits.
pub fn input(corpus: Vec<Vec<u8>>) -> BoxedStrategy<Vec<u8>> {
    let random = proptest::collection::vec(any::<u8>(), 0..512);
    if corpus.is_empty() {
        return random.boxed();
    }
    let n = corpus.len();
    let mutated =
        (0..n, proptest::collection::vec(edit(), 0..8)).prop_map(move |(i, edits)| apply(corpus[i].clone(), &edits));
    prop_oneof![1 => random, 4 => mutated].boxed()
}

/// The same as text (invalid UTF-8 replaced), for parsers that take `&str`.
pub fn text(corpus: Vec<Vec<u8>>) -> BoxedStrategy<String> {
    input(corpus).prop_map(|b| String::from_utf8_lossy(&b).into_owned()).boxed()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_stay_in_bounds() {
        let v = b"hello".to_vec();
        let edits = [Edit::Flip(99, 1), Edit::Insert(99, b"x".to_vec()), Edit::Delete(2, 99), Edit::Truncate(1)];
        assert_eq!(apply(v, &edits), b"h".to_vec());
        assert_eq!(apply(vec![], &[Edit::Flip(3, 1), Edit::Delete(0, 4)]), Vec::<u8>::new());
    }
}
