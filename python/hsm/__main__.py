from hsm._launcher import main

main()
