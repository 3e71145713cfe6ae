//! Text kept on the stack when short: a request's path and a perf point's endpoint.

use arrayvec::ArrayString;

/// Text kept on the stack up to `N` bytes, on the heap beyond (or when it already is a
/// `String`). Reading it back costs nothing: unlike a byte array, an `ArrayString` is known to
/// be UTF-8, and it is not zero-filled when made.
pub enum Text<const N: usize> {
    /// Short text.
    Inline(ArrayString<N>),
    /// Long text.
    Heap(String),
}

impl<const N: usize> Text<N> {
    pub(super) fn new() -> Self {
        Text::Inline(ArrayString::new())
    }

    pub(super) fn push(&mut self, text: &str) {
        match self {
            Text::Inline(inline) => {
                if inline.try_push_str(text).is_err() {
                    let mut heap = String::with_capacity((inline.len() + text.len()).max(2 * N));
                    heap.push_str(inline);
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
            Text::Inline(inline) => inline,
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

#[cfg(test)]
mod tests {
    use super::Text;

    #[test]
    fn short_text_stays_inline_and_long_text_spills_whole() {
        let mut text = Text::<8>::from("GET");
        text.push(" /a");
        assert!(matches!(text, Text::Inline(_)));
        assert_eq!(text.as_str(), "GET /a");
        text.push("/é/long");
        assert!(matches!(text, Text::Heap(_)));
        assert_eq!(text.as_str(), "GET /a/é/long");
    }
}
