// Package config turns tnassignd's command line and TNASSIGN_* environment
// into a validated Config.
//
// Every flag has an environment twin: --batch-linger is also
// TNASSIGN_BATCH_LINGER. The environment supplies the default and the command
// line overrides it. Secrets (Bandwidth credentials) are read only from the
// environment or from files named by *_FILE variables, never from flags, so
// they do not show up in process listings or shell history.
//
// Errors returned by Load are one line long and name the flag or variable at
// fault; tnassignd prints them and exits with status 2.
package config
