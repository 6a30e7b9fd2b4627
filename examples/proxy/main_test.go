package main

func Example() {
	main()
	// Output:
	// Proxied 🏆!
	// Proxied 📞!
	// Proxied 🐟!
	// Proxied 👌!
}
