/*
 * web/door-assets.S - the door page's two scripts as bytes in the
 * program: src/web/door.js (the page's own) and npm's jsQR
 * (node_modules/jsqr/dist/jsQR.js, installed by npm ci at build time,
 * never kept in the repository). door.c inlines both into the page, each
 * between its _start and _end symbol; make runs the assembler from the
 * top of the tree, where .incbin finds these paths.
 */
	.section .rodata
	.global web_door_js_start, web_door_js_end
	.global web_jsqr_js_start, web_jsqr_js_end
web_door_js_start:
	.incbin "src/web/door.js"
web_door_js_end:
web_jsqr_js_start:
	.incbin "node_modules/jsqr/dist/jsQR.js"
web_jsqr_js_end:

	/* no executable stack for the program that links this */
	.section .note.GNU-stack,"",@progbits
