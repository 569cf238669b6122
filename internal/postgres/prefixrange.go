package postgres

import "unicode/utf8"

// prefixEnd returns the least string, in byte order, after every string
// that starts with p: p with its last rune raised by one. Strings that
// start with p are then the byte-wise range p ~>=~ lo AND ~<~ hi, which a
// text_pattern_ops index reads even in a cached generic plan, where
// LIKE 'p%' with the pattern as a parameter gives no range and must be
// planned afresh on each request. UTF-8's byte order is the order of its
// code points, so raising the last rune (past the surrogates, which are
// not UTF-8) bounds the range for any text. ok is false when p is empty,
// is not UTF-8 or ends in the highest rune, U+10FFFF: the caller then
// falls back to LIKE.
func prefixEnd(p string) (hi string, ok bool) {
	r, size := utf8.DecodeLastRuneInString(p)
	if size == 0 || r == utf8.RuneError && size == 1 || r == utf8.MaxRune {
		return "", false
	}
	r++
	if r == 0xD800 { // the first surrogate
		r = 0xE000
	}
	return string(utf8.AppendRune([]byte(p[:len(p)-size]), r)), true
}
