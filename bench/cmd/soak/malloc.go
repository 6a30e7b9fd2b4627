package main

// #include <malloc.h>
import "C"

// cHeap returns what the C allocator (glibc's malloc, which librdkafka
// uses) has handed out and not had back, and what it holds free, over all
// its arenas: resident memory the C side keeps without using it.
func cHeap() (inUse, free uint64) {
	m := C.mallinfo2()
	return uint64(m.uordblks) + uint64(m.hblkhd), uint64(m.fordblks)
}
