package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"sync"
)

// statements keeps each distinct statement of a pool prepared, for every transaction of the pool
// to reuse. SQLite compiles a statement whenever it is prepared, which costs about as much as
// running the small statements the ledger writes, and the ledger runs a fixed set of them. It is
// safe for concurrent use.
//
// A statement is prepared after the first transaction that runs it ends: the writer pool has a
// single connection, which that transaction holds.
type statements struct {
	db *sql.DB

	mu     sync.Mutex
	byText map[string]*sql.Stmt
	closed bool
}

func newStatements(db *sql.DB) *statements {
	return &statements{db: db, byText: make(map[string]*sql.Stmt)}
}

// in returns query's prepared statement for tx, a transaction of the pool, or nil when query is
// not prepared yet.
func (c *statements) in(ctx context.Context, tx *sql.Tx, query string) *sql.Stmt {
	c.mu.Lock()
	stmt := c.byText[query]
	c.mu.Unlock()
	if stmt == nil {
		return nil
	}
	return tx.StmtContext(ctx, stmt)
}

// prepare prepares the queries not prepared yet. It must not run inside a transaction of the
// pool. A query that fails to prepare is left to run unprepared: its error shows when it runs.
func (c *statements) prepare(ctx context.Context, queries []string) {
	for _, query := range queries {
		c.mu.Lock()
		_, done := c.byText[query]
		c.mu.Unlock()
		if done {
			continue
		}
		stmt, err := c.db.PrepareContext(ctx, query)
		if err != nil {
			continue
		}
		c.mu.Lock()
		if _, done := c.byText[query]; done || c.closed {
			_ = stmt.Close() // prepared concurrently, or too late
		} else {
			c.byText[query] = stmt
		}
		c.mu.Unlock()
	}
}

// close closes every prepared statement; later ones are not kept.
func (c *statements) close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	var errs []error
	for _, stmt := range c.byText {
		errs = append(errs, stmt.Close())
	}
	clear(c.byText)
	return errors.Join(errs...)
}
