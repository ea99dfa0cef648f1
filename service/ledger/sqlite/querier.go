package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/tnassign/tnassign/service/ledger/internal/sqlstore"
)

// querier adapts a database/sql transaction to sqlstore.Querier.
type querier struct{ tx *sql.Tx }

func (q querier) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	res, err := q.tx.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (q querier) Query(ctx context.Context, query string, args ...any) (sqlstore.Rows, error) {
	rs, err := q.tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return rows{rs}, nil
}

func (q querier) QueryRow(ctx context.Context, query string, args ...any) sqlstore.Row {
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
