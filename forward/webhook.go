package forward

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/zhudun/zhudun"
)

// AlertSource is what the webhook forwarder needs from the store.
type AlertSource interface {
	AlertsAfter(ctx context.Context, after int64, limit int) ([]*zhudun.Alert, error)
	ForwardCursor(ctx context.Context, name string) (int64, error)
	SetForwardCursor(ctx context.Context, name string, id int64) error
}

// Webhook POSTs every new alert, as JSON, to URL. An alert is sent until
// the webhook answers 2xx (retried with backoff up to 5 minutes); alerts
// raised meanwhile queue in the database. At its first start it sends only
// alerts raised from then on.
type Webhook struct {
	Source AlertSource
	URL    string
	Client *http.Client // default: 10 s timeout
	Logger *slog.Logger
	Poll   time.Duration // default 1 s
}

const webhookCursor = "alert webhook"

// Run forwards until ctx ends.
func (h *Webhook) Run(ctx context.Context) {
	log := h.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	client := h.Client
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	poll := h.Poll
	if poll <= 0 {
		poll = time.Second
	}
	wait := func(d time.Duration) bool {
		select {
		case <-ctx.Done():
			return false
		case <-time.After(d):
			return true
		}
	}
	if err := h.start(ctx); err != nil {
		log.Error("alert webhook: cursor", "err", err)
	}
	backoff := time.Second
	for ctx.Err() == nil {
		cur, err := h.Source.ForwardCursor(ctx, webhookCursor)
		var alerts []*zhudun.Alert
		if err == nil {
			alerts, err = h.Source.AlertsAfter(ctx, cur, 50)
		}
		if err != nil || len(alerts) == 0 {
			if !wait(poll) {
				return
			}
			continue
		}
		for _, a := range alerts {
			if err := h.post(ctx, client, a); err != nil {
				log.Warn("alert webhook: not delivered; retrying", "alert", a.ID, "event", a.Event, "err", err, "retry_in", backoff)
				if !wait(backoff) {
					return
				}
				backoff = min(backoff*2, 5*time.Minute)
				break
			}
			backoff = time.Second
			if err := h.Source.SetForwardCursor(ctx, webhookCursor, a.ID); err != nil {
				log.Error("alert webhook: cursor", "err", err)
				break
			}
		}
	}
}

// start sets the cursor to the newest alert if there is none yet.
func (h *Webhook) start(ctx context.Context) error {
	cur, err := h.Source.ForwardCursor(ctx, webhookCursor)
	if err != nil || cur > 0 {
		return err
	}
	last := int64(0)
	for {
		as, err := h.Source.AlertsAfter(ctx, last, 500)
		if err != nil {
			return err
		}
		if len(as) == 0 {
			break
		}
		last = as[len(as)-1].ID
	}
	if last == 0 {
		return nil
	}
	return h.Source.SetForwardCursor(ctx, webhookCursor, last)
}

func (h *Webhook) post(ctx context.Context, c *http.Client, a *zhudun.Alert) error {
	body, err := json.Marshal(a)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.URL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "zhudun-alerts")
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("webhook answered %d", resp.StatusCode)
	}
	return nil
}
