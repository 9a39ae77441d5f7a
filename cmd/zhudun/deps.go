package main
import (
 _ "modernc.org/sqlite"
 _ "github.com/jackc/pgx/v5/stdlib"
 _ "github.com/nats-io/nats-server/v2/server"
 _ "github.com/nats-io/nats.go"
 _ "github.com/nats-io/nats.go/jetstream"
 _ "github.com/emmansun/gmsm/sm4"
 _ "golang.org/x/crypto/argon2"
 _ "github.com/prometheus/client_golang/prometheus"
 _ "github.com/xuri/excelize/v2"
 _ "github.com/chromedp/chromedp"
 _ "pgregory.net/rapid"
 _ "github.com/paulmach/orb"
)
func main(){}
