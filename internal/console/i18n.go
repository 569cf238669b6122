package console

import (
	"encoding/json"
	"fmt"
	"net/http"
	"path"
	"strings"

	"golang.org/x/text/language"
)

// languages are the console's translations, the first the default. Each
// has locales/<tag>.json: a flat object of message keys to text, with
// fmt verbs where a message takes arguments.
var languages = []string{"en", "zh-CN"}

var matcher = language.NewMatcher([]language.Tag{language.English, language.SimplifiedChinese})

// langCookie remembers a language chosen with the switcher.
const langCookie = "userd_console_lang"

// catalog holds every translation.
type catalog struct {
	msgs map[string]map[string]string
}

func mustCatalog() *catalog {
	c, err := loadCatalog()
	if err != nil {
		panic(err)
	}
	return c
}

func loadCatalog() (*catalog, error) {
	c := &catalog{msgs: map[string]map[string]string{}}
	for _, lang := range languages {
		data, err := localeFS.ReadFile(path.Join("locales", lang+".json"))
		if err != nil {
			return nil, fmt.Errorf("console: read the %s translation: %w", lang, err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(data, &m); err != nil {
			return nil, fmt.Errorf("console: parse locales/%s.json: %w", lang, err)
		}
		c.msgs[lang] = m
	}
	return c, nil
}

// text returns the message key in lang, formatted with args. A missing key
// shows as itself in brackets (a test keeps every used key present).
func (c *catalog) text(lang, key string, args ...any) string {
	msg, ok := c.msgs[lang][key]
	if !ok {
		return "[" + key + "]"
	}
	if len(args) > 0 {
		return fmt.Sprintf(msg, args...)
	}
	return msg
}

// pickLanguage returns the language to answer r in: the one chosen with the
// switcher, else the best match of Accept-Language, else English.
func pickLanguage(r *http.Request) string {
	if ck, err := r.Cookie(langCookie); err == nil {
		for _, l := range languages {
			if ck.Value == l {
				return l
			}
		}
	}
	accept := r.Header.Get("Accept-Language")
	if len(accept) > 256 {
		accept = accept[:256]
	}
	tags, _, err := language.ParseAcceptLanguage(accept)
	if err != nil || len(tags) == 0 {
		return languages[0]
	}
	_, i, conf := matcher.Match(tags...)
	if conf == language.No {
		return languages[0]
	}
	return languages[i]
}

// switchLanguage remembers the chosen language and returns to the page the
// switcher was on. The choice is a display preference, not a change to any
// data, so a plain link sets it.
func (c *Console) switchLanguage(w http.ResponseWriter, r *http.Request) {
	lang := r.PathValue("lang")
	known := false
	for _, l := range languages {
		known = known || l == lang
	}
	if !known {
		http.NotFound(w, r)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: lang, Path: Prefix, MaxAge: 365 * 24 * 3600,
		HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, localPath(r.URL.Query().Get("back")), http.StatusSeeOther)
}

// localPath returns p when it is a console path, so a redirect never leaves
// the console (an open redirect); /console/ otherwise.
func localPath(p string) string {
	if strings.HasPrefix(p, Prefix) && !strings.HasPrefix(p, "//") && !strings.ContainsAny(p, "\\\r\n") {
		return p
	}
	return Prefix
}
