// Conf: set process-wide Kafka defaults that each topic snapshots when it
// is made, merged with its own configuration.
//
// The keys are the Python original's; the topics store them under
// librdkafka's names, and printing a configuration hides the password.
package main

import (
	"fmt"
	"log"

	"github.com/slipstream-go/slipstream/kafka"
)

func main() {
	kafka.Conf(kafka.ConfigMap{
		"bootstrap_servers": "localhost:29091",
		"group_id":          "default-demo",
	})

	topic1, err := kafka.NewTopic[string, string]("emoji", kafka.ConfigMap{"bootstrap_servers": "localhost:29092"})
	if err != nil {
		log.Fatal(err)
	}

	kafka.Conf(kafka.ConfigMap{
		"security_protocol":   "SASL_SSL",
		"sasl_mechanism":      "PLAIN",
		"sasl_plain_username": "myuser",
		"sasl_plain_password": "mypass",
	})

	topic2, err := kafka.NewTopic[string, string]("conf", kafka.ConfigMap{"group_id": "demo"})
	if err != nil {
		log.Fatal(err)
	}

	fmt.Println(topic1.Conf())
	fmt.Println(topic2.Conf())
}
