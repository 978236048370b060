package sc.fiji.stylecrafter.pipeline;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;

import sc.fiji.stylecrafter.engine.EngineOptions;

/**
 * What a generation was, made once by the pipeline and written as the result's JSON sidecar (command line and batch)
 * and as Fiji's image Info: the prompt, every setting, the style references, the engine (device, precision, the kernel
 * routes it may try) and the routes the run used, the 16 adaptive style scales the scale predictor gave, and the seconds it took. A host adds
 * only what it alone knows ({@link #with}: the frame rate of a saved video, a batch entry's index).
 *
 * @param styles the style references as the user named them (files, image titles)
 * @param styleReferences how many reference images they gave (a stack or a video gives several)
 * @param engine how the model computes ({@code EngineOptions#describe}: device, precision, the routes it may try)
 * @param routes the kernel routes the run asked for, one line each ({@code nn.RouteChecks.Usage#summary})
 * @param styleScales the adaptive scale of each dual cross-attention layer, as the scale predictor gave it
 * @param extras facts a host added, in the order added
 */
public record GenerationRecord(String prompt, GenerationSettings settings, List<String> styles, int styleReferences, EngineOptions engine,
	List<String> routes, float[] styleScales, double seconds, Map<String, Object> extras)
{
	public GenerationRecord {
		styles = List.copyOf(styles);
		routes = List.copyOf(routes);
		extras = Map.copyOf(extras); // unordered: toJson writes the extras sorted by key
	}

	/** This record with one more fact of the host's ({@code fps}, {@code batch_index}, ...). */
	public GenerationRecord with(String key, Object value) {
		Map<String, Object> more = new LinkedHashMap<>(extras);
		more.put(key, value);
		return new GenerationRecord(prompt, settings, styles, styleReferences, engine, routes, styleScales, seconds, more);
	}

	/** The record as pretty-printed JSON (the sidecar). */
	public String toJson() {
		Gson gson = new GsonBuilder().setPrettyPrinting().serializeNulls().create();
		JsonObject o = new JsonObject();
		GenerationSettings s = settings;
		o.addProperty("prompt", prompt);
		o.addProperty("mode", s.mode().name().toLowerCase(Locale.ROOT));
		o.addProperty("seed", s.seed());
		o.addProperty("frames", s.frames());
		o.addProperty("width", s.width());
		o.addProperty("height", s.height());
		o.addProperty("steps", s.steps());
		o.addProperty("eta", s.eta());
		o.addProperty("text_guidance", s.textGuidance());
		o.addProperty("style_guidance", s.styleGuidance());
		o.addProperty("style_weight", s.styleWeight());
		o.addProperty("window", s.window());
		o.addProperty("overlap", s.overlap());
		o.add("styles", gson.toJsonTree(styles));
		o.addProperty("style_references", styleReferences);
		o.addProperty("device", engine.device());
		o.addProperty("precision", engine.precision().label());
		o.addProperty("engine", engine.describe());
		o.addProperty("seconds", Math.round(seconds * 100) / 100.0);
		o.add("style_scales", gson.toJsonTree(styleScales));
		o.add("routes", gson.toJsonTree(routes));
		extras.keySet().stream().sorted().forEach(k -> o.add(k, gson.toJsonTree(extras.get(k))));
		return gson.toJson(o) + "\n";
	}
}
