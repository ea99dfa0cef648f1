package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/tnassign/tnassign/service/ledger/internal/sqlstore"
)

// querier adapts a database/sql transaction to sqlstore.Querier. With stmts, it runs the
// statements stmts has prepared and notes the others in unprepared, for the caller to prepare
// once the transaction ended; without, it runs every statement as given (migrations: each runs
// once, and a script of several statements cannot be prepared).
type querier struct {
	tx         *sql.Tx
	stmts      *statements
	unprepared *[]string
}

// prepared returns query's prepared statement for the transaction, or nil.
func (q querier) prepared(ctx context.Context, query string) *sql.Stmt {
	if q.stmts == nil {
		return nil
	}
	stmt := q.stmts.in(ctx, q.tx, query)
	if stmt == nil {
		*q.unprepared = append(*q.unprepared, query)
	}
	return stmt
}

func (q querier) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	var res sql.Result
	var err error
	if stmt := q.prepared(ctx, query); stmt != nil {
		res, err = stmt.ExecContext(ctx, args...)
	} else {
		res, err = q.tx.ExecContext(ctx, query, args...)
	}
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (q querier) Query(ctx context.Context, query string, args ...any) (sqlstore.Rows, error) {
	var rs *sql.Rows
	var err error
	if stmt := q.prepared(ctx, query); stmt != nil {
		rs, err = stmt.QueryContext(ctx, args...)
	} else {
		rs, err = q.tx.QueryContext(ctx, query, args...)
	}
	if err != nil {
		return nil, err
	}
	return rows{rs}, nil
}

func (q querier) QueryRow(ctx context.Context, query string, args ...any) sqlstore.Row {
	if stmt := q.prepared(ctx, query); stmt != nil {
		return row{stmt.QueryRowContext(ctx, args...)}
	}
	return row{q.tx.QueryRowContext(ctx, query, args...)}
}

type rows struct{ rs *sql.Rows }

func (r rows) Next() bool             { return r.rs.Next() }
func (r rows) Scan(dest ...any) error { return r.rs.Scan(dest...) }
func (r rows) Err() error             { return r.rs.Err() }
func (r rows) Close()                 { _ = r.rs.Close() }

type row struct{ r *sql.Row }

func (r row) Scan(dest ...any) error {
	err := r.r.Scan(dest...)
	if errors.Is(err, sql.ErrNoRows) {
		return sqlstore.ErrNoRows
	}
	return err
}
