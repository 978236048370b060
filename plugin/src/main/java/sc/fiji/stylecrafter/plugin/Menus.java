package sc.fiji.stylecrafter.plugin;

/**
 * The menu Plugins > StyleCrafter, in three groups that ImageJ separates by their weights (a gap of more than 1 draws a
 * separator): generating (1-2), results (11-13), set-up (21-24). Entries whose plain names could be another update
 * site's (a plain "Export Video...") carry "(StyleCrafter)", since ImageJ's command names must be unique across Fiji.
 */
final class Menus {

	static final String STYLECRAFTER = "StyleCrafter";

	private Menus() {}
}
