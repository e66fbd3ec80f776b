package main

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// kverTable is a two-syscall table: read on every column, foo only on
// x86_64 (PNR elsewhere).
func kverTable(t *testing.T) *Table {
	t.Helper()
	ps, err := ParsePseudo(strings.NewReader(testPseudo))
	if err != nil {
		t.Fatal(err)
	}
	var foo strings.Builder
	foo.WriteString("foo")
	for _, c := range columns {
		cell := "PNR"
		if c.csv == "x86_64" {
			cell = "7"
		}
		foo.WriteString("," + cell + ",SCMP_KV_UNDEF")
	}
	csv := strings.Join([]string{header(), row("read", "0"), foo.String()}, "\n")
	tab, err := ParseCSV(strings.NewReader(csv), ps)
	if err != nil {
		t.Fatal(err)
	}
	return tab
}

func TestAddKvers(t *testing.T) {
	tab := kverTable(t)
	rows, err := ParseKverFile(strings.NewReader(`# comment
syscall,abi,version,source
read,,1.0,syscalls(2)
read,x86,2.6.16,a note
foo,,5.6,Linux 5.6 release
gone,,2.2,syscalls(2)
*,aarch64,3.7,port
`))
	if err != nil {
		t.Fatal(err)
	}
	if err := AddKvers(tab, rows); err != nil {
		t.Fatal(err)
	}
	want := func(name, abi string, v Kver) {
		t.Helper()
		i := 0
		for i < len(tab.Names) && tab.Names[i] != name {
			i++
		}
		if got := tab.Since[i][columnOf(abi)]; got != v {
			t.Errorf("%s on %s: %v, want %v", name, abi, got, v)
		}
	}
	want("read", "x86_64", 1<<16)
	want("read", "x86", 2<<16|6<<8|16)
	want("read", "aarch64", 3<<16|7<<8)
	want("foo", "x86_64", 5<<16|6<<8)
	want("foo", "x86", 0)
	src, err := Generate(tab)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(src, []byte("var sysSince = [len(sysNames)][numTables]uint32{")) || !bytes.Contains(src, []byte("0x20610")) {
		t.Errorf("generated source lacks sysSince or read's x86 release:\n%s", src)
	}
}

func TestKverErrors(t *testing.T) {
	const hdr = "syscall,abi,version,source\n"
	parse := []struct{ file, err string }{
		{"read,,1.0,x\n", "want the header"},
		{"", "no header"},
		{hdr + "read,,1.0\n", "with a source"},
		{hdr + "read,,1.0,\n", "with a source"},
		{hdr + "Read,,1.0,x\n", "bad syscall name"},
		{hdr + "read,vax,1.0,x\n", "unknown ABI"},
		{hdr + "read,,one,x\n", "not a kernel version"},
		{hdr + "read,,0.9,x\n", "not a kernel version"},
		{hdr + "*,,3.7,x\n", "needs an ABI"},
	}
	for _, tt := range parse {
		_, err := ParseKverFile(strings.NewReader(tt.file))
		if err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("ParseKverFile(%q) = %v, want %q", tt.file, err, tt.err)
		}
	}
	add := []struct{ file, err string }{
		{hdr + "read,,1.0,x\n", "foo on x86_64 has no kernel version; add a line"},
		{hdr + "read,,1.0,x\nfoo,,2.0,x\nfoo,,2.0,y\n", "a second line for foo on every ABI"},
		{hdr + "read,,1.0,x\nfoo,,2.0,x\nfoo,x86,2.0,y\n", "foo does not exist on x86"},
		{hdr + "read,,1.0,x\nfoo,,2.0,x\nbar,x86,2.0,y\n", "bar is not in syscalls.csv"},
		{hdr + "read,,1.0,x\nfoo,,2.0,x\nread,x86,2.0,y\nread,x86,2.2,y\n", "a second line for read on x86"},
		{hdr + "read,,1.0,x\nfoo,,9.9.10,x\n", "newer than the tables"},
		{hdr + "read,,1.0,x\nfoo,,2.0,x\n*,x32,3.4,x\n*,x32,3.5,x\n", "a second port line"},
	}
	for _, tt := range add {
		rows, err := ParseKverFile(strings.NewReader(tt.file))
		if err != nil {
			t.Fatalf("ParseKverFile(%q): %v", tt.file, err)
		}
		err = AddKvers(kverTable(t), rows)
		if err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("AddKvers(%q) = %v, want %q", tt.file, err, tt.err)
		}
	}
}

func TestConvertManPage(t *testing.T) {
	const page = `.TS
l l l.
\fBSystem call\fP	\fBKernel\fP	\fBNotes\fP

\fB_llseek\fP(2)	1.2
\fBaccess\fP(2)	1.0
\fBaccept4\fP(2)	2.6.28
\fBarch_prctl\fP(2)	2.6	T{
x86_64, x86 since 4.12
T}
\fBbrk\fP(2)
\fBpread64\fP(2)		T{
Added as "pread" in 2.2;
renamed "pread64" in 2.6
T}
\fBpciconfig_read\fP(2)	2.0.26; 2.2	Not on x86
\fBusr26\fP(2)	2.4.8.1	ARM OABI only
.TE
`
	rows, err := ConvertManPage(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteKverRows(&b, rows); err != nil {
		t.Fatal(err)
	}
	want := `_llseek,,1.2,syscalls(2)
access,,1.0,syscalls(2)
accept4,,2.6.28,syscalls(2)
arch_prctl,,2.6,syscalls(2)
brk,,1.0,syscalls(2)
pread64,,2.2,syscalls(2)
pciconfig_read,,2.0.26,syscalls(2)
usr26,,2.4.8,syscalls(2)
`
	if b.String() != want {
		t.Errorf("converted:\n%s\nwant:\n%s", b.String(), want)
	}
	if _, err := ConvertManPage(strings.NewReader("no table here\n")); err == nil {
		t.Error("ConvertManPage of a page without a table succeeded")
	}
}

// TestKverFileHasManPage checks that the committed kversion.csv carries
// every line the installed syscalls(2) page gives (apt-get install
// manpages-dev).
func TestKverFileHasManPage(t *testing.T) {
	const page = "/usr/share/man/man2/syscalls.2.gz"
	f, err := os.Open(page)
	if err != nil {
		t.Skipf("syscalls(2) not installed: %v", err)
	}
	defer f.Close()
	rows, err := ConvertManPage(f)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile("kversion.csv")
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, l := range strings.Split(string(data), "\n") {
		have[l] = true
	}
	var b bytes.Buffer
	WriteKverRows(&b, rows)
	for _, l := range strings.Split(strings.TrimSpace(b.String()), "\n") {
		if !have[l] {
			t.Errorf("kversion.csv lacks %q from %s", l, page)
		}
	}
}
