package dev.slipway.functions.imports;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.shared.git.CommitHistory.CommitPage;
import dev.slipway.shared.git.CommitHistory.CommitSummary;
import dev.slipway.shared.git.CommitHistory.Diffstat;
import dev.slipway.shared.git.CommitHistory.FilePage;
import dev.slipway.shared.git.CommitHistory.TreeFile;
import dev.slipway.shared.json.Json;

/** The JSON of an app's history: a page of commits, or a page of one commit's files. */
final class CommitsView {
    private CommitsView() {
    }

    /** {@code {commits: [...], branch, nextCursor}}; nextCursor is null on the last page. */
    static ObjectNode of(CommitPage page) {
        ObjectNode out = Json.object();
        ArrayNode items = out.putArray("commits");
        for (CommitSummary c : page.commits()) {
            items.add(commit(c));
        }
        out.put("branch", page.branch());
        out.put("nextCursor", page.nextCursor());
        return out;
    }

    /** {@code {commit, files: [{path, mode, size, sha}], nextCursor}}. */
    static ObjectNode of(FilePage page) {
        ObjectNode out = Json.object();
        out.put("commit", page.commit());
        ArrayNode files = out.putArray("files");
        for (TreeFile f : page.files()) {
            ObjectNode n = files.addObject();
            n.put("path", f.path());
            n.put("mode", f.mode());
            n.put("size", f.size());
            n.put("sha", f.sha());
        }
        out.put("nextCursor", page.nextCursor());
        return out;
    }

    private static ObjectNode commit(CommitSummary c) {
        ObjectNode n = Json.object();
        n.put("sha", c.sha());
        ArrayNode parents = n.putArray("parents");
        c.parents().forEach(parents::add);
        n.put("message", c.message());
        n.putObject("author").put("name", c.authorName()).put("email", c.authorEmail());
        n.put("time", c.time().toString());
        n.set("diffstat", diffstat(c.diffstat()));
        return n;
    }

    /** The line counts only when they were counted. */
    private static ObjectNode diffstat(Diffstat d) {
        ObjectNode s = Json.object();
        s.put("filesAdded", d.filesAdded());
        s.put("filesChanged", d.filesChanged());
        s.put("filesRemoved", d.filesRemoved());
        if (d.insertions() != null) {
            s.put("insertions", d.insertions().longValue());
            s.put("deletions", d.deletions().longValue());
        }
        return s;
    }
}
