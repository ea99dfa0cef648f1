package bwsim

import (
	"crypto/subtle"
	"net/http"
	"strings"
	"time"
)

// authenticate checks a Dashboard request's credentials: HTTP Basic with the configured username and
// password, or a live bearer token from the token endpoint. It returns the user orders are created
// by (the username, or the OAuth client id), or the 401 to answer.
func (s *Simulator) authenticate(r *http.Request, root string, now time.Time) (string, *reply) {
	header := r.Header.Get("Authorization")
	scheme, credentials, _ := strings.Cut(header, " ")
	switch {
	case strings.EqualFold(scheme, "Basic"):
		user, pass, ok := r.BasicAuth()
		if ok && s.cfg.Username != "" && equal(user, s.cfg.Username) && equal(pass, s.cfg.Password) {
			return user, nil
		}
	case strings.EqualFold(scheme, "Bearer"):
		if s.cfg.ClientID != "" && s.tokens.valid(strings.TrimSpace(credentials), now) {
			return s.cfg.ClientID, nil
		}
		return "", s.unauthorized(root, true)
	}
	return "", s.unauthorized(root, false)
}

// unauthorized is the 401 answer, challenging for every enabled scheme. badToken adds RFC 6750's
// invalid_token error to the Bearer challenge.
func (s *Simulator) unauthorized(root string, badToken bool) *reply {
	rep := errorReply(http.StatusUnauthorized, root, 0, "The user is not authorized for this action")
	rep.header = http.Header{"WWW-Authenticate": s.challenges(badToken)}
	return rep
}

// challenges returns the WWW-Authenticate values: Basic when Basic auth is enabled (or nothing is,
// so clients still learn a scheme), Bearer when OAuth is.
func (s *Simulator) challenges(badToken bool) []string {
	var out []string
	if s.cfg.Username != "" || s.cfg.ClientID == "" {
		out = append(out, `Basic realm="`+Realm+`"`)
	}
	if s.cfg.ClientID != "" {
		c := `Bearer realm="` + Realm + `"`
		if badToken {
			c += `, error="invalid_token"`
		}
		out = append(out, c)
	}
	return out
}

// equal compares secrets in constant time.
func equal(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
