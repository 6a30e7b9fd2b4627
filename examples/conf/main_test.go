package main

func Example() {
	main()
	// Output:
	// map[bootstrap.servers:localhost:29092 group.id:default-demo]
	// map[bootstrap.servers:localhost:29091 group.id:demo sasl.mechanism:PLAIN sasl.password:[redacted] sasl.username:myuser security.protocol:SASL_SSL]
}
