package sc.fiji.stylecrafter.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import javax.swing.JLabel;

import org.junit.jupiter.api.Test;

import sc.fiji.stylecrafter.model.Catalogue;
import sc.fiji.stylecrafter.setup.ModelSetup;

/** The licence terms and status lines in a dialog wrap at a readable width, their paragraphs and lines kept. */
class DialogTextTest {

	@Test
	void theLicenceTermsWrapAndKeepTheirParagraphs() {
		String text = ModelSetup.licenceText(Catalogue.OFFICIAL);
		String html = DialogText.html(text);
		assertTrue(html.startsWith("<html><body style='width: " + DialogText.WIDTH_PX + "px'>"), html);
		long paragraphs = text.strip().split("\\n\\s*\\n").length;
		assertEquals(paragraphs - 1, html.split("<p ", -1).length - 1, "one paragraph per licence after the header: " + html);
		assertTrue(DialogText.html("a < b & c\nnext line").contains("a &lt; b &amp; c<br>next line"));
		// as Swing lays it out: a label of this text is as wide as the set width (plus a little), not as its longest line
		int wrapped = new JLabel(html).getPreferredSize().width, oneLine = new JLabel(text).getPreferredSize().width;
		assertTrue(wrapped <= DialogText.WIDTH_PX * 1.5 && oneLine > 2 * wrapped, "wrapped " + wrapped + " px, as one line " + oneLine + " px");
		assertTrue(UserMessages.wrap("x ".repeat(200).trim(), UserMessages.LINE).lines().allMatch(l -> l.length() <= UserMessages.LINE));
	}
}
