package main

func Example() {
	main()
	// Output:
	// trophy 🏆
	// fish 🐟
}
