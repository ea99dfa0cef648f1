package jobs

import "testing"

func TestConfigDefaults(t *testing.T) {
	t.Parallel()
	cfg, err := Config{Accounts: []string{"9900000"}}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.BatchSize != 5000 || cfg.BatchLinger.Seconds() != 1 || cfg.MaxInflightPerJob != 4 || cfg.MaxInflightOrders != 64 {
		t.Errorf("defaults %+v", cfg)
	}
	for _, bad := range []Config{
		{},
		{Accounts: []string{"abc"}},
		{Accounts: []string{"1"}, BatchSize: 5001},
		{Accounts: []string{"1"}, MaxInflightPerJob: -1},
	} {
		if _, err := bad.withDefaults(); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}
