// Package tn provides the telephone number as tnassign holds it: a Number, the value of the
// canonical ten digits of a North American (NANP) number, NPA-NXX-XXXX.
//
// A number's text is read once, where it enters — Parse for what a caller wrote, ParseCanonical
// for the canonical form that tnassign itself stored or sent — and written once, where it leaves
// (String, AppendTo, Strings). In between it is a Number: eight bytes, comparable and ordered, so
// that sets, batches and indexes of millions of numbers stay small.
//
// The service's job engine, the ledger and the Bandwidth client share this package. The Bandwidth
// simulator (bandwidth/bwsim) deliberately keeps its own reading of numbers, so that it checks the
// client independently instead of repeating its mistakes.
package tn
