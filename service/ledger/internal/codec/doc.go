// Package codec holds the compact encodings the ledger drivers share: numbers packed into
// blobs, per-number settlement results, error groups, rejection chunks and opaque page tokens.
//
// The encodings are part of the on-disk format of the SQL drivers: change them only with a
// new format byte, never in place.
package codec
