package sc.fiji.stylecrafter.plugin;

/**
 * Long texts for dialogs (licence terms, driver and runtime status): a SciJava message is shown as one Swing label,
 * which ignores line breaks and grows to the width of its longest line (a 940-pixel dialog for the licence terms). As
 * HTML with a set body width the label wraps its text, and paragraphs and lines stay apart.
 */
final class DialogText {

	/** The text's width in a dialog: readable on a 1024x768 screen with the dialog's fields beside it. */
	static final int WIDTH_PX = 520;

	private DialogText() {}

	/** {@code text} as a wrapped label: blank lines separate paragraphs, single line breaks stay line breaks. */
	static String html(String text) {
		StringBuilder out = new StringBuilder("<html><body style='width: " + WIDTH_PX + "px'>");
		String[] paragraphs = text.strip().split("\\n\\s*\\n");
		for (int i = 0; i < paragraphs.length; i++) {
			if (i > 0) out.append("<p style='margin-top: 6px'>");
			out.append(escape(paragraphs[i].strip()).replace("\n", "<br>"));
		}
		return out.append("</body></html>").toString();
	}

	private static String escape(String s) {
		return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
	}
}
