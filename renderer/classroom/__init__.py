"""The classroom: a teacher leads a lesson that students follow, through a relay that everybody
connects out to (`protocol`, `relay`, `client`, lesson `bundle`s, the `follower`'s renders)."""
