package main

func Example() {
	main()
	// Output:
	// Hello 🏆!
	// Hello 📞!
	// Hello 🐟!
	// Hello 👌!
}
