package userinfov1

import (
	"errors"
	"strings"
	"testing"

	"github.com/userd/userd/internal/directory"
)

func FuzzParseUserIDs(f *testing.F) {
	for _, s := range []string{"71", "71,72", "72,71,72", " 71 , 72 ", "", ",", "71,", "a", "0", "-1", "9007199254740992", strings.Repeat("1,", 100) + "1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ids, err := parseUserIDs([]string{s})
		if err != nil {
			var me *mcodeError
			if !errors.As(err, &me) || (me.mcode != mcodeBadUserIDs && me.mcode != mcodeTooManyUserIDs) {
				t.Fatalf("parseUserIDs(%q) error %v, want a userIds mcode", s, err)
			}
			return
		}
		if n := strings.Count(s, ",") + 1; len(ids) != n {
			t.Fatalf("parseUserIDs(%q) returned %d ids for %d items", s, len(ids), n)
		}
		if len(ids) > MaxUserIDs {
			t.Fatalf("parseUserIDs(%q) returned %d ids, more than %d", s, len(ids), MaxUserIDs)
		}
		for _, id := range ids {
			if id < 1 || id > directory.MaxSafeID {
				t.Fatalf("parseUserIDs(%q) returned %d, outside 1..MaxSafeID", s, id)
			}
		}
	})
}

func FuzzParseLanguage(f *testing.F) {
	for _, s := range [][2]string{
		{"zh-CN", ""}, {"en-US", ""}, {"", ""}, {"", "zh-CN,zh;q=0.9,en;q=0.8"}, {"", "en;q=0.5, zh;q=0.6"},
		{"fr-FR", "zh"}, {"ZH-cn", ""}, {"", "de, *;q=0.1"}, {"", "zh;q=abc"}, {"", "zh;q=0"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, xLanguage, acceptLanguage string) {
		l := parseLanguage(xLanguage, acceptLanguage)
		primary, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(xLanguage)), "-")
		if primary == "zh" && l != chinese || primary == "en" && l != english {
			t.Fatalf("parseLanguage(%q, %q) = %s, x-language must win", xLanguage, acceptLanguage, l.tag())
		}
		// An x-language that names neither language is ignored.
		if primary != "zh" && primary != "en" {
			if alone := parseLanguage("", acceptLanguage); l != alone {
				t.Fatalf("parseLanguage(%q, %q) = %s, but Accept-Language alone gives %s", xLanguage, acceptLanguage, l.tag(), alone.tag())
			}
		}
		// Chinese only ever comes from a "zh" tag; anything else is English.
		if l == chinese && !strings.Contains(strings.ToLower(xLanguage+acceptLanguage), "zh") {
			t.Fatalf("parseLanguage(%q, %q) = Chinese, though neither header names zh", xLanguage, acceptLanguage)
		}
	})
}

func TestParseLanguage(t *testing.T) {
	tests := []struct {
		xLanguage, acceptLanguage string
		want                      language
	}{
		{"", "", english},
		{"zh-CN", "", chinese},
		{"en-US", "zh-CN", english},
		{"zh", "", chinese},
		{"fr-FR", "zh-CN", chinese},
		{"", "zh-CN,zh;q=0.9,en;q=0.8", chinese},
		{"", "en;q=0.5, zh;q=0.6", chinese},
		{"", "fr, en;q=0.1", english},
		{"", "zh;q=0", english},
		{"", "zh;q=bad, en", english},
	}
	for _, tt := range tests {
		t.Run(tt.xLanguage+"|"+tt.acceptLanguage, func(t *testing.T) {
			if got := parseLanguage(tt.xLanguage, tt.acceptLanguage); got != tt.want {
				t.Errorf("got %s, want %s", got.tag(), tt.want.tag())
			}
		})
	}
}
