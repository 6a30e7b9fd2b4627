package main

func Example() {
	main()
	// Output:
	// map[msg:🐟]
}
