package codec

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"hash/fnv"
)

// ErrBadToken means a page token does not decode or belongs to another query.
var ErrBadToken = errors.New("codec: bad page token")

const tokenVersion = 1

// Fingerprint hashes the parts of a query that a page token must match (job or account id,
// filter), so that a token is refused by any other query.
func Fingerprint(parts ...string) uint64 {
	h := fnv.New64a()
	for _, p := range parts {
		var n [binary.MaxVarintLen64]byte
		_, _ = h.Write(n[:binary.PutUvarint(n[:], uint64(len(p)))])
		_, _ = h.Write([]byte(p))
	}
	return h.Sum64()
}

// EncodeToken returns an opaque, URL-safe page token holding the query fingerprint fp, the
// integers ints and the string s.
func EncodeToken(fp uint64, s string, ints ...int64) string {
	b := []byte{tokenVersion}
	b = binary.BigEndian.AppendUint64(b, fp)
	b = binary.AppendUvarint(b, uint64(len(ints)))
	for _, v := range ints {
		b = binary.AppendVarint(b, v)
	}
	b = appendString(b, s)
	return base64.RawURLEncoding.EncodeToString(b)
}

// DecodeToken returns the string and the n integers of a token made by EncodeToken for the
// same fingerprint; ErrBadToken otherwise.
func DecodeToken(tok string, fp uint64, n int) (string, []int64, error) {
	b, err := base64.RawURLEncoding.Strict().DecodeString(tok)
	if err != nil || len(b) < 9 || b[0] != tokenVersion || binary.BigEndian.Uint64(b[1:]) != fp {
		return "", nil, ErrBadToken
	}
	r := reader{b: b[9:]}
	if c := r.uvarint(); r.err != nil || c != uint64(n) {
		return "", nil, ErrBadToken
	}
	ints := make([]int64, n)
	for i := range ints {
		ints[i] = r.varint()
	}
	s := r.string()
	// Only the spelling EncodeToken gives is a token: the decoders above accept line breaks
	// and over-long varints, which would let two strings name one page.
	if r.err != nil || len(r.b) != 0 || EncodeToken(fp, s, ints...) != tok {
		return "", nil, ErrBadToken
	}
	return s, ints, nil
}

// PageSize returns the page size to serve for a requested one: def when requested is not
// positive, at most limit.
func PageSize(requested, def, limit int) int {
	if requested <= 0 {
		return def
	}
	return min(requested, limit)
}
