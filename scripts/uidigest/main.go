// Command uidigest prints web.Digest of a built UI directory (default
// web/dist), for `make release` to record in the binary.
package main

import (
	"fmt"
	"os"

	"github.com/zhudun/zhudun/web"
)

func main() {
	dir := "web/dist"
	if len(os.Args) > 1 {
		dir = os.Args[1]
	}
	d, err := web.Digest(os.DirFS(dir))
	if err != nil {
		fmt.Fprintln(os.Stderr, "uidigest:", err)
		os.Exit(1)
	}
	fmt.Println(d)
}
