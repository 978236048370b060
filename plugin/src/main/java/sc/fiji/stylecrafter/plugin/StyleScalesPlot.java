package sc.fiji.stylecrafter.plugin;

import ij.ImagePlus;
import ij.gui.Plot;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/**
 * The run's 16 adaptive style scales as an ImageJ plot: the quantity the StyleCrafter paper plots to show, layer by
 * layer, how strongly the style reference is followed against the text (each dual cross-attention layer adds its style
 * branch times 1 + its scale). Read from the result's record (its Info), so an image saved and reopened can be plotted
 * again.
 */
final class StyleScalesPlot {

	private StyleScalesPlot() {}

	/** The plot of a result image's scales, titled after it. */
	static Plot of(ImagePlus result) {
		float[] scales = scales(result);
		double[] layer = new double[scales.length], value = new double[scales.length];
		for (int i = 0; i < scales.length; i++) {
			layer[i] = i + 1;
			value[i] = scales[i];
		}
		Plot p = new Plot(title(result), "style cross-attention layer (input blocks, middle, output blocks)", "adaptive style scale");
		p.add("connected circle", layer, value);
		p.setLimitsToFit(false);
		return p;
	}

	static String title(ImagePlus result) {
		return "Style scales - " + result.getTitle();
	}

	/** The scales of a result's record, in layer order. */
	static float[] scales(ImagePlus result) {
		Object info = result.getProperty("Info");
		if (!(info instanceof String text)) throw new IllegalArgumentException("'" + result.getTitle() + "' has no StyleCrafter record in its Info");
		JsonObject record = JsonParser.parseString(text).getAsJsonObject();
		JsonArray a = record.getAsJsonArray("style_scales");
		if (a == null) throw new IllegalArgumentException("the record of '" + result.getTitle() + "' has no style scales");
		float[] out = new float[a.size()];
		for (int i = 0; i < out.length; i++) out[i] = a.get(i).getAsFloat();
		return out;
	}
}
