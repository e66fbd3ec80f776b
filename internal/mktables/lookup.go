package main

import (
	"bytes"
	"fmt"
	"sort"
)

// The lookup tables of package arch are computed here and emitted as
// constant composite literals, so that the package needs no work at start
// to resolve names and numbers.

// nameBits is the base-2 logarithm of the number of slots of the name
// table: 2048 slots, about four times the number of names, so that most
// lookups hit on the first probe.
const nameBits = 11

// maxNameLen is the longest name package arch's probe can find; it must
// equal arch's maxNameLen.
const maxNameLen = 32

// nameKey returns the key of a name, as package arch's probe derives it:
// its first and last eight bytes if it has eight or more, else its first
// and last four if it has four or more, else its first, middle and last
// byte, each read as a little-endian number. It must stay the same as
// probe's; the tests of package arch fail if it does not.
func nameKey(name string) (lo, hi uint64) {
	le := func(s string, n int) uint64 {
		var v uint64
		for k := n - 1; k >= 0; k-- {
			v = v<<8 | uint64(s[k])
		}
		return v
	}
	switch n := len(name); {
	case n >= 8:
		return le(name, 8), le(name[n-8:], 8)
	case n >= 4:
		return le(name, 4) | le(name[n-4:], 4)<<32, 0
	case n > 0:
		return uint64(name[0]) | uint64(name[n/2])<<8 | uint64(name[n-1])<<16, 0
	}
	return 0, 0
}

// nameHash returns the slot where probing for a name with key lo, hi and
// length n starts; it must stay the same as package arch's nameHash.
func nameHash(lo, hi uint64, n int) uint64 {
	return ((lo ^ hi*0x69072b7a539fa727 ^ uint64(n)) * 0x10f34a554147f4f1) >> (64 - nameBits)
}

// A NameSlot is a filled slot of the name table: the key, length and index
// in Table.Names of the name it holds.
type NameSlot struct {
	Lo, Hi uint64
	Len    int
	Index  int
}

// NameTable returns the filled slots of the open-addressing hash table of
// t.Names that package arch probes linearly from nameHash, by slot. The
// names are inserted in order, each into the first empty slot from its
// hash on, as inserting them one by one at start would.
func NameTable(t *Table) (map[int]NameSlot, error) {
	const slots = 1 << nameBits
	if len(t.Names) > slots/2 {
		return nil, fmt.Errorf("%d names are too many for a name table of %d slots; raise nameBits", len(t.Names), slots)
	}
	table := make(map[int]NameSlot, len(t.Names))
	for i, name := range t.Names {
		if len(name) > maxNameLen {
			return nil, fmt.Errorf("syscall name %s is longer than %d bytes, the most package arch's probe reads", name, maxNameLen)
		}
		lo, hi := nameKey(name)
		h := int(nameHash(lo, hi, len(name)))
		for {
			if _, full := table[h%slots]; !full {
				break
			}
			h++
		}
		table[h%slots] = NameSlot{lo, hi, len(name), i}
	}
	return table, nil
}

// denseLimit bounds the numbers a column's dense number index covers;
// numbers at or above it (ARM's private syscalls at 0x0f0000 + n) go to
// the sparse index.
const denseLimit = 4096

// pseudoBase is the first of the pseudo numbers that count down, which a
// column's dense pseudo index covers; the socket and IPC calls' pseudo
// numbers (-101 to -224) go to the sparse index.
const pseudoBase = -10001

// A NumberIndex tells which name each number of one column resolves to.
type NumberIndex struct {
	// Dense[nr] is 1 + the index in Table.Names of the name that number
	// nr resolves to, 0 if none; it covers 0 up to the column's highest
	// number below denseLimit.
	Dense []uint16
	// Pseudo[pseudoBase-nr] is the same for the pseudo numbers nr from
	// pseudoBase down to the column's lowest.
	Pseudo []uint16
	// Sparse lists the other numbers, sorted, with the index of the name
	// each resolves to.
	Sparse []NumberName
}

// A NumberName is one entry of NumberIndex.Sparse.
type NumberName struct {
	Nr    int32
	Index int
}

// ByNumber returns the number index of column c. A real number resolves to
// the one name that has it. A pseudo number resolves to the name that has
// it in the column and is not shadowed (see Table.Shadow), or, when every
// such name is shadowed in the column, to the first of them in sorted
// order.
func ByNumber(t *Table, c int) NumberIndex {
	owner := map[int32]int{}
	for i := range t.Names {
		if nr := t.Nums[i][c]; !t.Shadow[i] || nr >= 0 {
			owner[nr] = i
		}
	}
	for i := range t.Names {
		if nr := t.Nums[i][c]; !hasKey(owner, nr) {
			owner[nr] = i
		}
	}
	var x NumberIndex
	set := func(index *[]uint16, k int, i int) {
		for k >= len(*index) {
			*index = append(*index, 0)
		}
		(*index)[k] = uint16(i + 1)
	}
	for nr, i := range owner {
		switch {
		case nr >= 0 && nr < denseLimit:
			set(&x.Dense, int(nr), i)
		case nr <= pseudoBase:
			set(&x.Pseudo, int(pseudoBase-nr), i)
		default:
			x.Sparse = append(x.Sparse, NumberName{nr, i})
		}
	}
	sort.Slice(x.Sparse, func(a, b int) bool { return x.Sparse[a].Nr < x.Sparse[b].Nr })
	return x
}

func hasKey(m map[int32]int, k int32) bool {
	_, ok := m[k]
	return ok
}

// writeLookups writes the name table and the number indexes.
func writeLookups(b *bytes.Buffer, t *Table) error {
	slots, err := NameTable(t)
	if err != nil {
		return err
	}
	if len(t.Names) >= 1<<16-1 {
		return fmt.Errorf("%d names do not fit the uint16 indexes", len(t.Names))
	}
	fmt.Fprintf(b, "// nameBits is the base-2 logarithm of nameSlots.\n")
	fmt.Fprintf(b, "const nameBits = %d\n\n", nameBits)
	fmt.Fprintf(b, "// nameTable is an open-addressing hash table of sysNames: each name is\n")
	fmt.Fprintf(b, "// in the first free slot from nameHash of its key on.\n")
	fmt.Fprintf(b, "var nameTable = [nameSlots]nameSlot{\n")
	order := make([]int, 0, len(slots))
	for s := range slots {
		order = append(order, s)
	}
	sort.Ints(order)
	for _, s := range order {
		e := slots[s]
		fmt.Fprintf(b, "\t%d: {%#x, %#x, %d, %d}, // %s\n", s, e.Lo, e.Hi, e.Len, e.Index, t.Names[e.Index])
	}
	fmt.Fprintf(b, "}\n\n")

	fmt.Fprintf(b, "// sysByNr[t][nr] is 1 + the index in sysNames of the syscall that number\n")
	fmt.Fprintf(b, "// nr of table t resolves to, 0 if none, for nr from 0 up to the table's\n")
	fmt.Fprintf(b, "// highest number below %d.\n", denseLimit)
	fmt.Fprintf(b, "var sysByNr = [numTables][]uint16{\n")
	index := make([]NumberIndex, len(columns))
	for c := range columns {
		index[c] = ByNumber(t, c)
	}
	writeDense := func(get func(x NumberIndex) []uint16) {
		for c, col := range columns {
			fmt.Fprintf(b, "\t%s: {", col.ident)
			for k, v := range get(index[c]) {
				if k%16 == 0 {
					fmt.Fprintf(b, "\n\t\t")
				} else {
					b.WriteString(" ")
				}
				fmt.Fprintf(b, "%d,", v)
			}
			fmt.Fprintf(b, "\n\t},\n")
		}
		fmt.Fprintf(b, "}\n\n")
	}
	writeDense(func(x NumberIndex) []uint16 { return x.Dense })
	fmt.Fprintf(b, "// pseudoBase is the first of the pseudo numbers that count down.\n")
	fmt.Fprintf(b, "const pseudoBase = %d\n\n", pseudoBase)
	fmt.Fprintf(b, "// sysByPseudo[t][pseudoBase-nr] is 1 + the index in sysNames of the\n")
	fmt.Fprintf(b, "// syscall that pseudo number nr of table t resolves to, 0 if none, for nr\n")
	fmt.Fprintf(b, "// from pseudoBase down to the table's lowest.\n")
	fmt.Fprintf(b, "var sysByPseudo = [numTables][]uint16{\n")
	writeDense(func(x NumberIndex) []uint16 { return x.Pseudo })
	fmt.Fprintf(b, "// sysByNrSparse[t] lists, sorted, the other numbers table t resolves:\n")
	fmt.Fprintf(b, "// the socket and IPC calls' pseudo numbers and numbers of %d or more.\n", denseLimit)
	fmt.Fprintf(b, "var sysByNrSparse = [numTables][]nrName{\n")
	for c, col := range columns {
		fmt.Fprintf(b, "\t%s: {", col.ident)
		for k, e := range index[c].Sparse {
			if k%6 == 0 {
				fmt.Fprintf(b, "\n\t\t")
			} else {
				b.WriteString(" ")
			}
			fmt.Fprintf(b, "{%d, %d},", e.Nr, e.Index)
		}
		fmt.Fprintf(b, "\n\t},\n")
	}
	fmt.Fprintf(b, "}\n\n")
	return nil
}
