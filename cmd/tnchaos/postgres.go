package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// database is the PostgreSQL database the replicas share.
type database struct {
	dsn   string // for --ledger
	label string // for the report
	close func() // stops and removes what setupDatabase made (unless kept)
}

// setupDatabase makes a fresh, empty database: in a throwaway cluster started from the
// installed binaries, or, with --postgres-dsn, a uniquely named one on that server.
func setupDatabase(ctx context.Context, o options, runDir string, logf logFunc) (*database, error) {
	if o.postgresDSN != "" {
		return externalDatabase(ctx, o, logf)
	}
	return throwawayCluster(ctx, o, runDir, logf)
}

// throwawayCluster initialises and starts a cluster in a temporary directory, owned by the
// postgres user when tnchaos runs as root (PostgreSQL refuses to run as root).
func throwawayCluster(ctx context.Context, o options, runDir string, logf logFunc) (*database, error) {
	binDir := o.postgresBin
	if binDir == "" {
		var err error
		if binDir, err = newestPostgres(); err != nil {
			return nil, err
		}
	}
	dir, err := os.MkdirTemp("", "tnchaos-pg-")
	if err != nil {
		return nil, err
	}
	pg := &cluster{bin: binDir, dir: dir, data: filepath.Join(dir, "data"), asPostgres: os.Geteuid() == 0}
	fail := func(err error) (*database, error) {
		pg.stop(runDir, o.keep, logf)
		return nil, err
	}
	if pg.asPostgres {
		if err := chownToPostgres(dir); err != nil {
			return fail(err)
		}
	}
	if pg.port, err = freePort(); err != nil {
		return fail(err)
	}
	if err := pg.run(ctx, "initdb", "-D", pg.data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"); err != nil {
		return fail(err)
	}
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200", pg.port, dir)
	if err := pg.run(ctx, "pg_ctl", "-D", pg.data, "-l", filepath.Join(dir, "postgres.log"), "-w", "-t", "60", "-o", opts, "start"); err != nil {
		return fail(err)
	}
	pg.started = true
	admin := fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", pg.port)
	if err := createDatabase(ctx, admin, "tnchaos"); err != nil {
		return fail(err)
	}
	version := filepath.Base(filepath.Dir(binDir))
	logf("PostgreSQL %s: throwaway cluster in %s, port %d", version, dir, pg.port)
	return &database{
		dsn:   fmt.Sprintf("postgres://postgres@127.0.0.1:%d/tnchaos?sslmode=disable", pg.port),
		label: "PostgreSQL " + version + " (throwaway cluster)",
		close: func() { pg.stop(runDir, o.keep, logf) },
	}, nil
}

// cluster is a throwaway PostgreSQL cluster.
type cluster struct {
	bin, dir, data string
	port           int
	asPostgres     bool
	started        bool
}

// run runs one of the cluster's programs, as the postgres user when needed.
func (c *cluster) run(ctx context.Context, prog string, args ...string) error {
	ctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	name, argv := filepath.Join(c.bin, prog), args
	if c.asPostgres {
		name, argv = "runuser", append([]string{"-u", "postgres", "--", filepath.Join(c.bin, prog)}, args...)
	}
	cmd := exec.CommandContext(ctx, name, argv...)
	cmd.SysProcAttr = groupAttr()
	cmd.Dir = c.dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s: %w\n%s", prog, err, out)
	}
	return nil
}

// stop stops the cluster at once, keeps its log in runDir and removes it unless keep.
func (c *cluster) stop(runDir string, keep bool, logf logFunc) {
	if c.started {
		// Not bound to the run's context: this runs after Ctrl-C too.
		if err := c.run(context.Background(), "pg_ctl", "-D", c.data, "-m", "immediate", "-w", "stop"); err != nil {
			logf("stopping PostgreSQL: %v", err)
		}
		c.started = false
	}
	if b, err := os.ReadFile(filepath.Join(c.dir, "postgres.log")); err == nil {
		_ = os.WriteFile(filepath.Join(runDir, "postgres.log"), b, 0o644)
	}
	if keep {
		logf("kept the PostgreSQL cluster in %s", c.dir)
		return
	}
	if err := os.RemoveAll(c.dir); err != nil {
		logf("removing %s: %v", c.dir, err)
	}
}

// newestPostgres returns the newest /usr/lib/postgresql/*/bin.
func newestPostgres() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	if len(dirs) == 0 {
		return "", errors.New("no PostgreSQL under /usr/lib/postgresql/*/bin: install it, or pass --postgres-bin or --postgres-dsn")
	}
	version := func(d string) float64 {
		v, _ := strconv.ParseFloat(filepath.Base(filepath.Dir(d)), 64)
		return v
	}
	slices.SortFunc(dirs, func(a, b string) int {
		switch va, vb := version(a), version(b); {
		case va < vb:
			return -1
		case va > vb:
			return 1
		}
		return strings.Compare(a, b)
	})
	return dirs[len(dirs)-1], nil
}

// chownToPostgres gives dir (and anything in it) to the postgres user.
func chownToPostgres(dir string) error {
	u, err := user.Lookup("postgres")
	if err != nil {
		return fmt.Errorf("running as root needs the postgres user: %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return filepath.WalkDir(dir, func(path string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(path, uid, gid)
	})
}

// externalDatabase creates a uniquely named database on the server of --postgres-dsn (which
// must be a URL) and returns the DSN naming it; closing drops it unless --keep.
func externalDatabase(ctx context.Context, o options, logf logFunc) (*database, error) {
	u, err := url.Parse(o.postgresDSN)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") || u.Host == "" {
		return nil, fmt.Errorf("--postgres-dsn must be a postgres://user@host:port/db URL")
	}
	var suffix [4]byte
	_, _ = rand.Read(suffix[:])
	name := "tnchaos_" + time.Now().UTC().Format("20060102_150405") + "_" + hex.EncodeToString(suffix[:])
	if err := createDatabase(ctx, o.postgresDSN, name); err != nil {
		return nil, err
	}
	mine := *u
	mine.Path = "/" + name
	logf("PostgreSQL: database %s on %s", name, u.Host)
	return &database{
		dsn:   mine.String(),
		label: "PostgreSQL at " + u.Host + " (database " + name + ")",
		close: func() {
			if o.keep {
				logf("kept database %s", name)
				return
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if err := execAdmin(ctx, o.postgresDSN, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
				logf("dropping database %s: %v", name, err)
			}
		},
	}, nil
}

// createDatabase creates database name through the server at adminDSN.
func createDatabase(ctx context.Context, adminDSN, name string) error {
	return execAdmin(ctx, adminDSN, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
}

// execAdmin runs one statement (outside a transaction) on adminDSN.
func execAdmin(ctx context.Context, adminDSN, sql string) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, adminDSN)
	if err != nil {
		return fmt.Errorf("connecting to PostgreSQL: %w", err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, sql); err != nil {
		return fmt.Errorf("%s: %w", sql, err)
	}
	return nil
}
