package filter

import "strconv"

type tokenKind int

const (
	tEOF tokenKind = iota
	tWord
	tString
	tLParen
	tRParen
	tLBracket
	tRBracket
)

type token struct {
	kind tokenKind
	text string // a word, or a string literal with its quotes
	pos  int
}

func (t token) String() string {
	switch t.kind {
	case tEOF:
		return "the end of the filter"
	case tWord, tString:
		return strconv.Quote(t.text)
	}
	return strconv.Quote(t.text)
}

// lexer splits a filter into words (attribute paths, operators, keywords,
// numbers), JSON string literals and brackets.
type lexer struct {
	src string
	pos int
}

func (l *lexer) next() (token, error) {
	for l.pos < len(l.src) && (l.src[l.pos] == ' ' || l.src[l.pos] == '\t' || l.src[l.pos] == '\n' || l.src[l.pos] == '\r') {
		l.pos++
	}
	start := l.pos
	if l.pos == len(l.src) {
		return token{kind: tEOF, pos: start}, nil
	}
	switch c := l.src[l.pos]; c {
	case '(', ')', '[', ']':
		l.pos++
		kind := map[byte]tokenKind{'(': tLParen, ')': tRParen, '[': tLBracket, ']': tRBracket}[c]
		return token{kind: kind, text: string(c), pos: start}, nil
	case '"':
		l.pos++
		for l.pos < len(l.src) {
			switch l.src[l.pos] {
			case '\\':
				l.pos += 2
				continue
			case '"':
				l.pos++
				return token{kind: tString, text: l.src[start:l.pos], pos: start}, nil
			}
			l.pos++
		}
		return token{}, errorf("the string at offset %d has no closing quote", start)
	}
	for l.pos < len(l.src) {
		switch l.src[l.pos] {
		case ' ', '\t', '\n', '\r', '(', ')', '[', ']', '"':
			return token{kind: tWord, text: l.src[start:l.pos], pos: start}, nil
		}
		l.pos++
	}
	return token{kind: tWord, text: l.src[start:l.pos], pos: start}, nil
}
