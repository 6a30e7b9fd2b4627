package kafka

/*
#include <stdio.h>
#include <stdlib.h>

// Declared here rather than included: the header ships inside
// confluent-kafka-go's module, whose package links librdkafka into every
// program that imports this one. These three functions have kept their
// signatures since librdkafka 0.8.
typedef struct rd_kafka_conf_s rd_kafka_conf_t;
rd_kafka_conf_t *rd_kafka_conf_new(void);
void rd_kafka_conf_destroy(rd_kafka_conf_t *conf);
int rd_kafka_conf_set(rd_kafka_conf_t *conf, const char *name, const char *value, char *errstr, size_t errstr_size);
void rd_kafka_conf_properties_show(FILE *fp);

static char *slipstream_conf_properties(size_t *n) {
	char *buf = NULL;
	FILE *f = open_memstream(&buf, n);
	if (f == NULL) return NULL;
	rd_kafka_conf_properties_show(f);
	fclose(f);
	return buf;
}
*/
import "C"

import (
	"bufio"
	"fmt"
	"strings"
	"sync"
	"unsafe"

	// Linked for librdkafka, whose functions the cgo preamble declares.
	_ "github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// A scope says which clients a librdkafka property applies to.
type scope byte

const (
	scopeBoth     scope = '*'
	scopeConsumer scope = 'C'
	scopeProducer scope = 'P'
)

// properties returns every configuration property the linked librdkafka
// knows, global and topic-level, with the clients it applies to. It reads
// librdkafka's own table once, so it always matches the library in use.
var properties = sync.OnceValue(func() map[string]scope {
	var n C.size_t
	p := C.slipstream_conf_properties(&n)
	if p == nil {
		return nil
	}
	text := C.GoStringN(p, C.int(n))
	C.free(unsafe.Pointer(p))
	return parseProperties(text)
})

// parseProperties parses the table rd_kafka_conf_properties_show prints:
// "name | C/P | range | default | importance | description" rows.
func parseProperties(text string) map[string]scope {
	props := make(map[string]scope)
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		f := strings.SplitN(sc.Text(), "|", 3)
		if len(f) < 3 {
			continue
		}
		name, s := strings.TrimSpace(f[0]), strings.TrimSpace(f[1])
		if name == "" || name == "Property" || strings.HasPrefix(name, "---") || len(s) != 1 {
			continue
		}
		props[name] = scope(s[0])
	}
	return props
}

// checkProperty asks librdkafka whether value is valid for key, on a
// throwaway configuration: it returns an error for an unknown key or an
// invalid value.
func checkProperty(key, value string) (unknown bool, err error) {
	conf := C.rd_kafka_conf_new()
	defer C.rd_kafka_conf_destroy(conf)
	ckey, cval := C.CString(key), C.CString(value)
	defer C.free(unsafe.Pointer(ckey))
	defer C.free(unsafe.Pointer(cval))
	var errstr [512]C.char
	switch C.rd_kafka_conf_set(conf, ckey, cval, &errstr[0], C.size_t(len(errstr))) {
	case 0: // RD_KAFKA_CONF_OK
		return false, nil
	case -2: // RD_KAFKA_CONF_UNKNOWN
		return true, fmt.Errorf("%s", C.GoString(&errstr[0]))
	default: // RD_KAFKA_CONF_INVALID
		return false, fmt.Errorf("%s", C.GoString(&errstr[0]))
	}
}
