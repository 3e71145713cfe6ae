//! Text kept on the stack when short: a request's path and a perf point's endpoint.

/// Text kept on the stack up to `N` bytes, on the heap beyond (or when it already is a
/// `String`).
pub enum Text<const N: usize> {
    /// Short text.
    Inline {
        /// The bytes; only `..len` are used, and they are UTF-8.
        bytes: [u8; N],
        /// How many are used.
        len: usize,
    },
    /// Long text.
    Heap(String),
}

impl<const N: usize> Text<N> {
    pub(super) fn new() -> Self {
        Text::Inline {
            bytes: [0; N],
            len: 0,
        }
    }

    pub(super) fn push(&mut self, text: &str) {
        match self {
            Text::Inline { bytes, len } => {
                let end = *len + text.len();
                if end <= N {
                    bytes[*len..end].copy_from_slice(text.as_bytes());
                    *len = end;
                } else {
                    let mut heap = String::with_capacity(end.max(2 * N));
                    heap.push_str(std::str::from_utf8(&bytes[..*len]).unwrap_or(""));
                    heap.push_str(text);
                    *self = Text::Heap(heap);
                }
            }
            Text::Heap(heap) => heap.push_str(text),
        }
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        match self {
            // Only whole `&str`s are ever pushed, so this is always UTF-8.
            Text::Inline { bytes, len } => std::str::from_utf8(&bytes[..*len]).unwrap_or(""),
            Text::Heap(heap) => heap,
        }
    }
}

impl<const N: usize> From<&str> for Text<N> {
    fn from(text: &str) -> Self {
        let mut out = Self::new();
        out.push(text);
        out
    }
}

impl<const N: usize> From<String> for Text<N> {
    fn from(text: String) -> Self {
        Text::Heap(text)
    }
}
