// Package upgradetest checks that a ledger database written by the release before fencing (at
// migration 0001) opens, migrates and resumes its running jobs. The SQL drivers' tests seed such a
// database with Seed and read it back with Check.
package upgradetest
