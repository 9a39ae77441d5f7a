package ingest

import (
	"strconv"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/fourcuts"
	"github.com/zhudun/zhudun/fourcuts/feed"
)

// PartitionKey is the entity an event is partitioned by: the card
// (msisdn) for sim, reg, sms and cdr events — the hub every signal of a
// card, and the accounts it verified, hang on — and the address for ip
// events. Item 5's workers own partitions; what spans them (gangs) runs on
// what the partitions emit.
func PartitionKey(ev *fourcuts.Event) []byte {
	if ev.Type == fourcuts.TypeIP {
		return ev.IP
	}
	return ev.Msisdn
}

// Partition is FNV-1a (32 bits) of the partition key, modulo n.
func Partition(ev *fourcuts.Event, n int) int {
	h := uint32(2166136261)
	for _, c := range PartitionKey(ev) {
		h ^= uint32(c)
		h *= 16777619
	}
	return int(h % uint32(n))
}

// packer groups a request's events into batches per partition.
type packer struct {
	source, chunk, id string
	n                 int
	open              [][]byte
	count             []int
	seq               []int
	out               []zhudun.IngestBatch
	bytes             int64
}

func newPacker(source, chunk, id string, partitions int) *packer {
	return &packer{source: source, chunk: chunk, id: id, n: partitions,
		open: make([][]byte, partitions), count: make([]int, partitions), seq: make([]int, partitions)}
}

func (p *packer) add(ev *fourcuts.Event) {
	k := Partition(ev, p.n)
	if p.open[k] == nil {
		p.open[k] = make([]byte, 0, batchBytes+4096)
	}
	p.open[k] = feed.AppendJSON(p.open[k], ev)
	p.count[k]++
	if len(p.open[k]) >= batchBytes {
		p.close(k)
	}
}

func (p *packer) close(k int) {
	if p.count[k] == 0 {
		return
	}
	p.out = append(p.out, zhudun.IngestBatch{Partition: k, Source: p.source, Chunk: p.chunk, Events: p.count[k], Body: p.open[k],
		ID: p.source + "." + p.id + "." + strconv.Itoa(k) + "." + strconv.Itoa(p.seq[k])})
	p.bytes += int64(len(p.open[k]))
	p.open[k], p.count[k] = nil, 0
	p.seq[k]++
}

func (p *packer) finish() []zhudun.IngestBatch {
	for k := range p.open {
		p.close(k)
	}
	return p.out
}
