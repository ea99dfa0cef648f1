package bandwidth_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"

	"github.com/tnassign/tnassign/bandwidth"
)

// A whole assignment: create the order, wait for it to settle, report each failed number.
func Example() {
	ctx := context.Background()
	client, err := bandwidth.New(bandwidth.Config{
		BaseURL: bandwidth.DefaultBaseURL,
		Auth: bandwidth.NewOAuth2(bandwidth.OAuth2Config{
			ClientID:     os.Getenv("BANDWIDTH_CLIENT_ID"),
			ClientSecret: os.Getenv("BANDWIDTH_CLIENT_SECRET"),
		}),
	})
	if err != nil {
		log.Fatal(err)
	}
	order := bandwidth.Order{
		CustomerOrderID:  "job-42 batch-0001",
		Action:           bandwidth.ActionAssign,
		TelephoneNumbers: []string{"9199918388", "4158714245"},
	}
	created, err := client.CreateOrder(ctx, "9900000", order)
	switch {
	case errors.Is(err, bandwidth.ErrOutcomeUnknown):
		log.Fatal("the order may exist: look it up with FindOrder before sending it again")
	case err != nil:
		log.Fatal(err)
	}
	settled, err := client.AwaitOrder(ctx, "9900000", created.OrderID)
	if err != nil {
		log.Fatal(err)
	}
	for _, e := range settled.Errors {
		fmt.Println(e.Code, e.Description, e.TelephoneNumbers)
	}
}
